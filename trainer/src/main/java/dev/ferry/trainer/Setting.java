package dev.ferry.trainer;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How {@link Provenance} records a settings record's component, when its name or value alone would
 * not say it as the manifest and the command line do.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Setting {
  /** The key to record it under (default: the component's name in snake_case). */
  String key() default "";

  /** The word recorded for {@link Integer#MAX_VALUE} ("every one"), such as {@code all}. */
  String max() default "";
}
