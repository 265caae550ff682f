package dev.ferry.autodiff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LbfgsTest {

  @Test
  void findsTheRosenbrockMinimum() {
    Lbfgs.Objective rosenbrock =
        (v, g) -> {
          double a = 1 - v[0];
          double b = v[1] - v[0] * v[0];
          g[0] = -2 * a - 400 * v[0] * b;
          g[1] = 200 * b;
          return a * a + 100 * b * b;
        };
    Lbfgs.Result result = Lbfgs.minimize(rosenbrock, new double[] {-1.2, 1}, 1000, 1e-9, 0);
    assertThat(result.converged()).isTrue();
    assertThat(result.x()).containsExactly(new double[] {1, 1}, within(1e-6));
  }

  @Test
  void leavesTheStartAloneAndStopsAtTheIterationCap() {
    double[] start = {3, -4};
    Lbfgs.Objective bowl =
        (v, g) -> {
          g[0] = 2 * v[0];
          g[1] = 20 * v[1];
          return v[0] * v[0] + 10 * v[1] * v[1];
        };
    Lbfgs.Result capped = Lbfgs.minimize(bowl, start, 1, 0, 0);
    assertThat(start).containsExactly(3, -4);
    assertThat(capped.iterations()).isEqualTo(1);
    assertThat(capped.converged()).isFalse();
    assertThat(Lbfgs.minimize(bowl, start, 100, 1e-10, 0).x())
        .containsExactly(new double[] {0, 0}, within(1e-9));
  }
}
