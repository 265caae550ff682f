/**
 * What the indexer, plugin and cli tests share: small real bundles trained once ({@link
 * dev.ferry.testing.BundleFixtures}) and the texts they are trained and tested on ({@link
 * dev.ferry.testing.Samples}). A test-scoped dependency only.
 */
package dev.ferry.testing;
