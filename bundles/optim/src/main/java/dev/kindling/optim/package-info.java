/**
 * Optimizers with PyTorch's algorithms, defaults and state-dict layout: {@link dev.kindling.optim.SGD},
 * {@link dev.kindling.optim.Adam}, {@link dev.kindling.optim.AdamW}, {@link dev.kindling.optim.RMSprop},
 * {@link dev.kindling.optim.Adagrad}; extend {@link dev.kindling.optim.Optimizer} for a custom one.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.kindling.optim;
