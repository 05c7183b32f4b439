package dev.kindling.train;

/** Stops the fit when {@code monitor} (e.g. {@code val_loss}) has not improved for {@code patience} epochs. */
public final class EarlyStopping implements Callback {
    private final String monitor;
    private final int patience;
    private final boolean minimize;
    private final double minDelta;
    private double best;
    private int bad;
    private int stoppedEpoch = -1;

    /** @param mode "min" (losses) or "max" (accuracies) */
    public EarlyStopping(String monitor, int patience, String mode, double minDelta) {
        if (!mode.equals("min") && !mode.equals("max")) throw new IllegalArgumentException("mode must be 'min' or 'max', got '" + mode + "'");
        if (patience < 0) throw new IllegalArgumentException("patience must be >= 0, got " + patience);
        this.monitor = monitor;
        this.patience = patience;
        this.minimize = mode.equals("min");
        this.minDelta = Math.abs(minDelta);
    }

    public EarlyStopping(String monitor, int patience) { this(monitor, patience, monitor.contains("acc") ? "max" : "min", 0); }

    @Override
    public void onTrainBegin(Trainer t) {
        best = minimize ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        bad = 0;
        stoppedEpoch = -1;
    }

    @Override
    public void onEpochEnd(Trainer t, TrainingState s) {
        Double v = s.epochMetrics().get(monitor);
        if (v == null && t.stopRequested()) return; // an epoch cut short by a stop may lack validation metrics
        if (v == null) {
            throw new IllegalStateException("EarlyStopping monitors '" + monitor + "', which is not among the epoch metrics "
                    + s.epochMetrics().keySet());
        }
        boolean improved = minimize ? v < best - minDelta : v > best + minDelta;
        if (improved) {
            best = v;
            bad = 0;
        } else if (++bad >= patience) { // as Keras and Lightning: stop after patience epochs without improvement
            stoppedEpoch = s.epoch();
            t.requestStop();
        }
    }

    /** The epoch after which the fit was stopped, or -1. */
    public int stoppedEpoch() { return stoppedEpoch; }

    public double best() { return best; }
}
