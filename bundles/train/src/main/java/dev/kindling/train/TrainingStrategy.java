package dev.kindling.train;

import dev.kindling.data.DataLoader;
import dev.kindling.nn.Module;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * How {@link Trainer#fit} spreads training over processes (Lightning's strategies). The default trains in this
 * process alone; {@link DataParallelStrategy} trains one replica per rank with DistributedDataParallel. Every method
 * has the single-process behaviour as its default.
 */
@ConsumerType
public interface TrainingStrategy {
    /** Training in this process alone. */
    TrainingStrategy SINGLE_PROCESS = new TrainingStrategy() {};

    /** The module fit() runs forward and backward on (checkpoints, evaluate and predict use the model itself). */
    default Module wrap(Module model) { return model; }

    /** Whether this process writes checkpoints and logs. */
    default boolean isMainProcess() { return true; }

    /** Whether {@code callback} runs in this process (all of them, unless it is not the main process). */
    default boolean runsCallback(Callback callback) { return true; }

    /** At the start of each epoch, before the callbacks (a distributed sampler gets its epoch here). */
    default void onEpochBegin(DataLoader<?> train, int epoch) {}

    /**
     * Runs a forward and backward that is not the last of a gradient-accumulation window; data parallelism skips the
     * gradient all-reduce there ({@code no_sync}).
     */
    default void withoutGradientSync(Module wrapped, Runnable forwardBackward) { forwardBackward.run(); }

    /** The epoch's metrics, combined over processes: every process gets the same values. */
    default Map<String, Double> reduceMetrics(Map<String, Double> metrics) { return metrics; }

    /** After the epoch's callbacks (checkpoints) have run: processes wait for each other here. */
    default void onEpochEnd() {}
}
