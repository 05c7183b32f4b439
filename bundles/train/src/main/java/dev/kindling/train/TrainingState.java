package dev.kindling.train;

import java.util.Map;

/** A snapshot of a running fit, given to callbacks. */
public record TrainingState(int epoch, int epochs, long step, int batch, int batchesPerEpoch, double loss,
                            double accuracy, double samplesPerSecond, double lr, Map<String, Double> epochMetrics) {
    /** Seconds left at the current speed, or NaN before the first batch. */
    public double etaSeconds(long samplesLeft) {
        return samplesPerSecond > 0 ? samplesLeft / samplesPerSecond : Double.NaN;
    }
}
