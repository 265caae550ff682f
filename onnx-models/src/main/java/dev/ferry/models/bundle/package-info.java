/**
 * The model bundle: its format ({@link dev.ferry.models.bundle.BundleManifest}), how it is written
 * ({@link dev.ferry.models.bundle.BundleWriter}) and opened ({@link
 * dev.ferry.models.bundle.ModelBundle}), and the classifier it makes ({@link
 * dev.ferry.models.bundle.Classifier}, {@link dev.ferry.models.bundle.ClassifierHead}).
 */
package dev.ferry.models.bundle;
