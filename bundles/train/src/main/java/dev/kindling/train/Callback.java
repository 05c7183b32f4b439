package dev.kindling.train;

/**
 * Hooks into {@link Trainer#fit}: progress, early stopping, checkpoints, metric logging. Every method has an empty
 * default; {@code trainer.requestStop()} ends the fit cleanly after the current batch.
 */
public interface Callback {
    default void onTrainBegin(Trainer trainer) {}

    default void onEpochBegin(Trainer trainer, int epoch) {}

    default void onBatchEnd(Trainer trainer, TrainingState state) {}

    /** {@code state.epochMetrics()} holds train_* and val_* metrics and the learning rate. */
    default void onEpochEnd(Trainer trainer, TrainingState state) {}

    default void onTrainEnd(Trainer trainer) {}
}
