package dev.ferry.trainer.selection;

import java.time.Duration;

/**
 * The {@link SelectionSettings#budget() budget} does not cover embedding with even the fastest
 * candidate. Its message starts with "budget", names that candidate and the time it needs.
 */
public final class BudgetTooSmallException extends IllegalArgumentException {
  private final transient Duration needed;

  BudgetTooSmallException(String message, Duration needed) {
    super(message);
    this.needed = needed;
  }

  /** About how long the fastest candidate needs, rounded up to whole seconds. */
  public Duration needed() {
    return needed;
  }
}
