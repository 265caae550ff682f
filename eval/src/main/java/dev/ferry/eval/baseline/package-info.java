/**
 * Classic bag-of-words text classifiers that Ferry's embedding classifiers must beat, written by
 * hand so that they need no machine-learning library.
 *
 * <ul>
 *   <li>{@link dev.ferry.eval.baseline.BagOfWords}: tokenizer, vocabulary from the training texts,
 *       sparse count vectors.
 *   <li>{@link dev.ferry.eval.baseline.NaiveBayesBaseline}: multinomial naive Bayes with additive
 *       smoothing.
 *   <li>{@link dev.ferry.eval.baseline.TfidfLogisticBaseline}: sublinear TF-IDF and L2-regularized
 *       softmax regression trained with L-BFGS, optionally with balanced class weights.
 *   <li>{@link dev.ferry.eval.baseline.Baselines}: train/test evaluation into {@link
 *       dev.ferry.trainer.metrics.ClassificationMetrics}, labeled JSONL reading, stratified
 *       samples; its {@code main} prints the numbers on {@code ../shared/data}.
 * </ul>
 *
 * <p>Both classifiers reproduce scikit-learn's {@code MultinomialNB} and {@code LogisticRegression}
 * on the same features (checked on Reuters grain; see {@code BaselinesRealDataTest}). Everything is
 * deterministic: no randomness is used in training.
 */
package dev.ferry.eval.baseline;
