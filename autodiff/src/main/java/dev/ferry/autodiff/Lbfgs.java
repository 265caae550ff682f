package dev.ferry.autodiff;

/**
 * Limited-memory BFGS with a backtracking (Armijo) line search, for smooth convex objectives: the
 * linear head's regularized cross-entropy (its value and gradient from an ONNX graph) and the
 * evaluation's TF-IDF baseline. Deterministic: no randomness, fixed summation order.
 */
public final class Lbfgs {

  /** A differentiable function. */
  public interface Objective {
    /** Returns f(x) and writes its gradient into {@code gradient}. */
    double evaluate(double[] x, double[] gradient);
  }

  /**
   * The outcome of a minimization.
   *
   * @param x the last point
   * @param value f(x)
   * @param iterations accepted steps taken
   * @param converged whether a tolerance was met (else the iteration cap or a failed line search)
   */
  public record Result(double[] x, double value, int iterations, boolean converged) {}

  private static final int MEMORY = 10;
  private static final double ARMIJO = 1e-4;
  private static final int MAX_BACKTRACKS = 50;

  private Lbfgs() {}

  /**
   * Minimizes {@code f} from {@code start} (not changed).
   *
   * @param gradientTolerance stop when the largest gradient component is at most this
   * @param valueTolerance stop when a quasi-Newton step lowers f by at most this × max(1, |f|)
   */
  public static Result minimize(
      Objective f,
      double[] start,
      int maxIterations,
      double gradientTolerance,
      double valueTolerance) {
    int n = start.length;
    double[] x = start.clone();
    double[] g = new double[n];
    double fx = f.evaluate(x, g);
    double[][] s = new double[MEMORY][];
    double[][] y = new double[MEMORY][];
    double[] rho = new double[MEMORY];
    double[] alpha = new double[MEMORY];
    int stored = 0;
    int newest = -1;
    double[] direction = new double[n];
    double[] xNew = new double[n];
    double[] gNew = new double[n];
    double[] sNew = new double[n];
    double[] yNew = new double[n];
    for (int iteration = 0; iteration < maxIterations; iteration++) {
      if (maxAbs(g) <= gradientTolerance) {
        return new Result(x, fx, iteration, true);
      }
      // Two-loop recursion: direction = -H g.
      for (int i = 0; i < n; i++) {
        direction[i] = -g[i];
      }
      for (int m = 0; m < stored; m++) {
        int j = Math.floorMod(newest - m, MEMORY);
        alpha[j] = rho[j] * dot(s[j], direction);
        axpy(-alpha[j], y[j], direction);
      }
      if (stored > 0) {
        double gamma = dot(s[newest], y[newest]) / dot(y[newest], y[newest]);
        scale(gamma, direction);
      }
      for (int m = stored - 1; m >= 0; m--) {
        int j = Math.floorMod(newest - m, MEMORY);
        double beta = rho[j] * dot(y[j], direction);
        axpy(alpha[j] - beta, s[j], direction);
      }
      double slope = dot(g, direction);
      if (!(slope < 0)) {
        // Not a descent direction (numerical trouble): forget the history, go downhill.
        stored = 0;
        for (int i = 0; i < n; i++) {
          direction[i] = -g[i];
        }
        slope = -dot(g, g);
      }
      // A first step (no curvature pairs yet) is a short probe whose small decrease says nothing
      // about convergence: the value test below waits for a quasi-Newton step.
      boolean probe = stored == 0;
      double step = probe ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
      double fNew = Double.NaN;
      boolean accepted = false;
      for (int t = 0; t < MAX_BACKTRACKS; t++) {
        for (int i = 0; i < n; i++) {
          xNew[i] = x[i] + step * direction[i];
        }
        fNew = f.evaluate(xNew, gNew);
        if (fNew <= fx + ARMIJO * step * slope) {
          accepted = true;
          break;
        }
        step *= 0.5;
      }
      if (!accepted) {
        return new Result(x, fx, iteration, false);
      }
      for (int i = 0; i < n; i++) {
        sNew[i] = xNew[i] - x[i];
        yNew[i] = gNew[i] - g[i];
      }
      double sy = dot(sNew, yNew);
      if (sy > 1e-12 * dot(yNew, yNew)) {
        // Keep the pair only when it keeps the inverse Hessian estimate positive definite.
        int slot = (newest + 1) % MEMORY;
        double[] oldS = s[slot];
        double[] oldY = y[slot];
        s[slot] = sNew;
        y[slot] = yNew;
        sNew = oldS == null ? new double[n] : oldS;
        yNew = oldY == null ? new double[n] : oldY;
        rho[slot] = 1 / sy;
        newest = slot;
        stored = Math.min(stored + 1, MEMORY);
      }
      double decrease = fx - fNew;
      double[] swap = x;
      x = xNew;
      xNew = swap;
      swap = g;
      g = gNew;
      gNew = swap;
      fx = fNew;
      if (!probe && decrease <= valueTolerance * Math.max(1, Math.abs(fx))) {
        return new Result(x, fx, iteration + 1, true);
      }
    }
    return new Result(x, fx, maxIterations, maxAbs(g) <= gradientTolerance);
  }

  private static double dot(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  private static void axpy(double a, double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) {
      y[i] += a * x[i];
    }
  }

  private static void scale(double a, double[] x) {
    for (int i = 0; i < x.length; i++) {
      x[i] *= a;
    }
  }

  private static double maxAbs(double[] x) {
    double max = 0;
    for (double v : x) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }
}
