/**
 * Learning-rate schedulers with PyTorch 1.13's algorithms (the recursive, chainable forms where PyTorch uses them):
 * {@link dev.kindling.optim.lr.StepLR}, {@link dev.kindling.optim.lr.MultiStepLR},
 * {@link dev.kindling.optim.lr.ExponentialLR}, {@link dev.kindling.optim.lr.CosineAnnealingLR},
 * {@link dev.kindling.optim.lr.LambdaLR}, {@link dev.kindling.optim.lr.LinearLR},
 * {@link dev.kindling.optim.lr.OneCycleLR}, {@link dev.kindling.optim.lr.SequentialLR},
 * {@link dev.kindling.optim.lr.ReduceLROnPlateau} and more; extend {@link dev.kindling.optim.lr.LRScheduler} for a
 * custom one.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package dev.kindling.optim.lr;
