package dev.kindling.optim.lr;

import dev.kindling.optim.internal.Values;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Steps several chainable schedulers of one optimizer together, each on the lr the previous one set (PyTorch's ChainedScheduler). */
public class ChainedScheduler extends LRScheduler {
    private final List<LRScheduler> schedulers;

    public ChainedScheduler(List<? extends LRScheduler> schedulers) {
        super(first(schedulers).optimizer, true);
        for (int i = 1; i < schedulers.size(); i++) {
            if (schedulers.get(i).optimizer != schedulers.get(0).optimizer) {
                throw new IllegalArgumentException("ChainedScheduler expects all schedulers to belong to the same optimizer, "
                        + "but got schedulers at index 0 and " + i + " to be different");
            }
            if (schedulers.get(i) instanceof ReduceLROnPlateau) {
                throw new IllegalArgumentException("ChainedScheduler does not support ReduceLROnPlateau (it needs a metric)");
            }
        }
        this.schedulers = Collections.unmodifiableList(new ArrayList<>(schedulers));
        this.lastLr = groupLrs();
    }

    private static LRScheduler first(List<? extends LRScheduler> schedulers) {
        if (schedulers == null || schedulers.isEmpty()) {
            throw new IllegalArgumentException("ChainedScheduler needs at least one scheduler");
        }
        return schedulers.get(0);
    }

    @Override
    public void step() {
        for (LRScheduler s : schedulers) s.step();
        lastLr = groupLrs();
    }

    /** Not used: the chained schedulers compute the learning rates. */
    @Override
    protected double[] getLr() {
        return groupLrs();
    }

    public List<LRScheduler> schedulers() {
        return schedulers;
    }

    @Override
    protected void saveState(Map<String, Object> sd) {
        List<Object> subs = new ArrayList<>();
        for (LRScheduler s : schedulers) subs.add(s.stateDict());
        sd.put("_schedulers", subs);
    }

    @Override
    protected void loadState(Map<String, ?> sd) {
        Object subs = required(sd, "_schedulers");
        if (!(subs instanceof List<?> list) || list.size() != schedulers.size()) {
            throw new IllegalArgumentException("loaded ChainedScheduler state does not have " + schedulers.size()
                    + " scheduler states (got " + Values.describe(subs) + ")");
        }
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("loaded ChainedScheduler state of scheduler " + i + " is not a map");
            }
            @SuppressWarnings("unchecked")
            Map<String, ?> typed = (Map<String, ?>) m;
            schedulers.get(i).loadStateDict(typed);
        }
    }
}
