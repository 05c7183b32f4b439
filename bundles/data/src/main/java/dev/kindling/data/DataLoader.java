package dev.kindling.data;

import dev.kindling.api.Generator;
import dev.kindling.api.Torch;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batches a dataset ({@code torch.utils.data.DataLoader}):
 *
 * <pre>{@code
 * DataLoader<Sample> loader = DataLoader.builder(ds).batchSize(64).shuffle(true).numWorkers(2).seed(0).build();
 * for (Batch b : loader) { Tensor x = b.inputs(), y = b.targets(); ... }
 * }</pre>
 *
 * <p><b>Order.</b> {@code shuffle(true)} uses a {@link RandomSampler}; a custom {@link Sampler} may be given instead.
 * With {@code seed(s)} the loader owns a generator seeded with {@code s}; each epoch draws a base seed and then the
 * sampler's permutation from it exactly as PyTorch 1.13 does with {@code generator=torch.Generator().manual_seed(s)},
 * so epochs are reproducible and visit samples in PyTorch's order. Without a seed, the default generator is used, as
 * in PyTorch ({@code Torch.manualSeed} then makes runs reproducible).
 *
 * <p><b>Workers.</b> With {@code numWorkers(0)} (the default) batches are loaded in the iterating thread. With
 * {@code numWorkers(n)} each epoch starts n daemon threads that load and collate whole batches ahead, at most
 * {@code prefetchFactor * n} batches in flight, and hand them back in order. If a sample fails to load, iteration
 * throws a {@link DataLoaderException} naming the sample index, with the worker's exception as its cause, and the
 * epoch's workers stop. Workers also stop when the epoch ends, when its {@link BatchIterator} is closed or becomes
 * unreachable, and when the loader is {@link #close() closed}.
 *
 * <p><b>Randomness in transforms</b> comes from {@link DataRandom}: per sample, derived from the epoch's base seed and
 * the sample's position, so results do not depend on the number of workers.
 *
 * <p><b>Resuming mid-epoch</b> (torchdata's {@code StatefulDataLoader}): {@link #stateDict()} says where the epoch in
 * progress is (its order, base seed and the batches handed out so far); after {@link #loadStateDict(Map)} the next
 * {@link #iterator()} continues that epoch with the next batch, drawing nothing from any generator, so a run restored
 * from a checkpoint taken mid-epoch (generators included) yields exactly the batches an uninterrupted one would.
 *
 * @param <T> the sample type
 */
public final class DataLoader<T> implements Iterable<Batch>, AutoCloseable {
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final long IDLE_SECONDS = 5;

    private final Dataset<T> dataset;
    private final IterableDataset<T> iterable;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final int numWorkers;
    private final int prefetchFactor;
    private final Sampler sampler;
    private final Collate<T> collate;
    private final Generator generator;
    private final int id = IDS.incrementAndGet();
    private final Set<Epoch> live = ConcurrentHashMap.newKeySet();
    /** The epoch started last: what {@link #stateDict()} describes. */
    private volatile Epoch latest;
    /** A position from {@link #loadStateDict}: the next iterator continues there. */
    private Map<String, Object> resumeAt;

    private DataLoader(Builder<T> b) {
        this.dataset = b.dataset;
        this.iterable = b.iterable;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.numWorkers = b.numWorkers;
        this.prefetchFactor = b.prefetchFactor;
        this.collate = b.collate != null ? b.collate : Collate.defaultCollate();
        this.generator = b.generator != null ? b.generator : b.seed != null ? new Generator(b.seed) : null;
        if (dataset != null) {
            this.sampler = b.sampler != null ? b.sampler : b.shuffle ? new RandomSampler(dataset.size()) : new SequentialSampler(dataset.size());
        } else {
            this.sampler = null;
        }
    }

    /**
     * {@code DataLoader(dataset, batch_size, shuffle)}, PyTorch's everyday positional form; every other option keeps
     * its default (use {@link #builder(Dataset)} for workers, a seed, a sampler, ...).
     */
    public DataLoader(Dataset<T> dataset, int batchSize, boolean shuffle) {
        this(builder(dataset).batchSize(batchSize).shuffle(shuffle).validated());
    }

    /** {@code DataLoader(dataset, batch_size)}: in order. */
    public DataLoader(Dataset<T> dataset, int batchSize) { this(dataset, batchSize, false); }

    /** A builder over a map-style dataset. */
    public static <T> Builder<T> builder(Dataset<T> dataset) {
        if (dataset == null) throw new IllegalArgumentException("DataLoader needs a dataset");
        return new Builder<>(dataset, null);
    }

    /** A builder over an iterable dataset (no shuffle, no sampler). */
    public static <T> Builder<T> builder(IterableDataset<T> dataset) {
        if (dataset == null) throw new IllegalArgumentException("DataLoader needs a dataset");
        return new Builder<>(null, dataset);
    }

    /** Options, with PyTorch's defaults: batch size 1, no shuffle, keep the last partial batch, no workers. */
    public static final class Builder<T> {
        private final Dataset<T> dataset;
        private final IterableDataset<T> iterable;
        private int batchSize = 1;
        private boolean shuffle;
        private boolean dropLast;
        private int numWorkers;
        private int prefetchFactor = 2;
        private Long seed;
        private Generator generator;
        private Sampler sampler;
        private Collate<T> collate;

        private Builder(Dataset<T> dataset, IterableDataset<T> iterable) {
            this.dataset = dataset;
            this.iterable = iterable;
        }

        public Builder<T> batchSize(int batchSize) {
            if (batchSize <= 0) throw new IllegalArgumentException("batch_size should be a positive integer value, but got batch_size=" + batchSize);
            this.batchSize = batchSize;
            return this;
        }

        public Builder<T> shuffle(boolean shuffle) { this.shuffle = shuffle; return this; }

        public Builder<T> dropLast(boolean dropLast) { this.dropLast = dropLast; return this; }

        public Builder<T> numWorkers(int numWorkers) {
            if (numWorkers < 0) throw new IllegalArgumentException("num_workers option should be non-negative; use num_workers=0 to disable workers.");
            this.numWorkers = numWorkers;
            return this;
        }

        /** Batches in flight per worker (PyTorch's {@code prefetch_factor}, default 2). */
        public Builder<T> prefetchFactor(int prefetchFactor) {
            if (prefetchFactor <= 0) throw new IllegalArgumentException("prefetch_factor should be a positive integer, got " + prefetchFactor);
            this.prefetchFactor = prefetchFactor;
            return this;
        }

        /** Seeds the loader's own generator (PyTorch's {@code generator=torch.Generator().manual_seed(seed)}). */
        public Builder<T> seed(long seed) { this.seed = seed; this.generator = null; return this; }

        /** Uses (and advances) this generator for shuffling and per-epoch seeds. */
        public Builder<T> generator(Generator generator) { this.generator = generator; this.seed = null; return this; }

        public Builder<T> sampler(Sampler sampler) { this.sampler = sampler; return this; }

        /** The collate function ({@code collate_fn}); {@link DefaultCollate} when not set. */
        public Builder<T> collate(Collate<T> collate) { this.collate = collate; return this; }

        public DataLoader<T> build() { return new DataLoader<>(validated()); }

        private Builder<T> validated() {
            if (iterable != null) {
                if (shuffle) throw new IllegalArgumentException("DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=true");
                if (sampler != null) throw new IllegalArgumentException("DataLoader with IterableDataset: expected unspecified sampler option, but got sampler=" + sampler);
            }
            if (sampler != null && shuffle) throw new IllegalArgumentException("sampler option is mutually exclusive with shuffle");
            return this;
        }
    }

    /** The map-style dataset, or null for an iterable one. */
    public Dataset<T> dataset() { return dataset; }

    /**
     * The loader's own generator (from {@code seed} or {@code generator}), or null when it draws from the default one.
     * Checkpoints save and restore its state so that a resumed run shuffles as an uninterrupted one.
     */
    public Generator generator() { return generator; }

    public int batchSize() { return batchSize; }

    public boolean shuffle() { return shuffle; }

    public boolean dropLast() { return dropLast; }

    public int numWorkers() { return numWorkers; }

    /** The sampler (null for an iterable dataset). */
    public Sampler sampler() { return sampler; }

    /** Batches per epoch ({@code len(loader)}); unknown for an iterable dataset. */
    public int size() {
        if (sampler == null) throw new UnsupportedOperationException("the number of batches of a DataLoader over an IterableDataset is unknown");
        int n = sampler.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Starts an epoch, or continues the one {@link #loadStateDict} describes. */
    @Override
    public BatchIterator iterator() {
        Map<String, Object> at;
        synchronized (this) {
            at = resumeAt;
            resumeAt = null;
        }
        Epoch e;
        if (at != null) {
            e = iterable != null ? new StreamEpoch(longValue(at, BASE_SEED), longValue(at, SAMPLES_YIELDED), (int) longValue(at, BATCHES_YIELDED))
                    : new IndexedEpoch(savedOrder(at), longValue(at, BASE_SEED), (int) longValue(at, BATCHES_YIELDED));
        } else {
            long base = Sampler.drawSeed(generator != null ? generator : Torch.defaultGenerator());
            e = iterable != null ? new StreamEpoch(base, 0, 0) : new IndexedEpoch(sampler.epoch(generator), base, 0);
        }
        latest = e;
        return new Handle(e);
    }

    static final String BATCHES_YIELDED = "batches_yielded";
    static final String SAMPLES_YIELDED = "samples_yielded";
    static final String BASE_SEED = "base_seed";
    static final String ORDER = "order";

    /**
     * Where the epoch in progress stands: {@code batches_yielded}, {@code base_seed} and, for a map-style dataset, the
     * epoch's {@code order} (an int32 tensor of sample indices) or, for an iterable one, {@code samples_yielded}.
     * Empty when no epoch is in progress (none started, or the last one handed out all its batches): the next
     * iterator then starts a new epoch. Values are plain numbers and a tensor, as checkpoints store them.
     */
    public Map<String, Object> stateDict() {
        Epoch e = latest;
        return e == null ? Map.of() : e.state();
    }

    /**
     * Makes the next {@link #iterator()} continue the epoch {@code state} (from {@link #stateDict()}) describes, with its
     * next batch; an empty state makes it start a new epoch as usual. Restore the generators' states too (a checkpoint
     * does): the batches after the resumed epoch draw from them.
     */
    public void loadStateDict(Map<String, Object> state) {
        if (state == null || state.isEmpty()) {
            synchronized (this) { resumeAt = null; }
            return;
        }
        for (String k : iterable != null ? List.of(BASE_SEED, SAMPLES_YIELDED, BATCHES_YIELDED) : List.of(BASE_SEED, ORDER, BATCHES_YIELDED)) {
            if (!state.containsKey(k)) throw new IllegalArgumentException("DataLoader state has no '" + k + "' (keys: " + state.keySet() + ")");
        }
        if (iterable == null) savedOrder(state); // checked now rather than at the next epoch
        synchronized (this) { resumeAt = Map.copyOf(state); }
    }

    private int[] savedOrder(Map<String, Object> state) {
        Object o = state.get(ORDER);
        int[] order = o instanceof dev.kindling.api.Tensor ? ((dev.kindling.api.Tensor) o).toIntArray() : o instanceof int[] ? ((int[]) o).clone() : null;
        if (order == null) throw new IllegalArgumentException("DataLoader state: 'order' must be an int tensor, got " + (o == null ? "null" : o.getClass().getName()));
        if (order.length != sampler.size()) {
            throw new IllegalArgumentException("DataLoader state: the saved epoch orders " + order.length + " samples, but this loader's sampler yields "
                    + sampler.size() + ": the state belongs to another dataset");
        }
        int n = dataset.size();
        for (int i : order) if (i < 0 || i >= n) throw new IllegalArgumentException("DataLoader state: sample index " + i + " is out of range for a dataset of " + n);
        return order;
    }

    private static long longValue(Map<String, Object> state, String key) {
        Object o = state.get(key);
        if (!(o instanceof Number)) throw new IllegalArgumentException("DataLoader state: '" + key + "' must be a number, got " + o);
        return ((Number) o).longValue();
    }

    /** Stops the workers of every epoch still running. The loader can start new epochs afterwards. */
    @Override
    public void close() {
        for (Epoch e : live) e.close();
    }

    @Override
    public String toString() {
        return "DataLoader(batchSize=" + batchSize + ", shuffle=" + shuffle + ", dropLast=" + dropLast
                + ", numWorkers=" + numWorkers + ", sampler=" + (sampler == null ? "none" : sampler.getClass().getSimpleName()) + ")";
    }

    // ---- epochs ----

    private static final class CleanerHolder {
        static final Cleaner CLEANER = Cleaner.create();
    }

    /** What the user holds. When it becomes unreachable the cleaner closes the epoch, which never refers back to it. */
    private static final class Handle implements BatchIterator {
        private final DataLoader<?>.Epoch epoch;
        private final Cleaner.Cleanable cleanable;

        Handle(DataLoader<?>.Epoch epoch) {
            this.epoch = epoch;
            this.cleanable = epoch.hasWorkers() ? CleanerHolder.CLEANER.register(this, epoch::close) : null;
        }

        @Override
        public boolean hasNext() { return epoch.hasNext(); }

        @Override
        public Batch next() { return epoch.next(); }

        @Override
        public void close() {
            if (cleanable != null) cleanable.clean();
            else epoch.close();
        }
    }

    private abstract class Epoch {
        final long baseSeed;
        volatile boolean closed;
        ThreadPoolExecutor executor;

        Epoch(long baseSeed) { this.baseSeed = baseSeed; }

        abstract boolean hasNext();

        abstract Batch next();

        /** {@link DataLoader#stateDict()} of this epoch. */
        abstract Map<String, Object> state();

        boolean hasWorkers() { return executor != null; }

        void startWorkers(int threads) {
            AtomicInteger n = new AtomicInteger();
            ThreadFactory f = r -> {
                int k = n.getAndIncrement() % threads;
                Thread t = new Thread(() -> {
                    WORKER.set(k);
                    r.run();
                }, "kindling-dataloader-" + id + "-worker-" + k);
                t.setDaemon(true);
                return t;
            };
            executor = new ThreadPoolExecutor(threads, threads, IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), f);
            executor.allowCoreThreadTimeOut(true);
            live.add(this);
        }

        void close() {
            closed = true;
            if (executor != null) executor.shutdownNow();
            live.remove(this);
        }

        T load(int index, long position, int batch) {
            try {
                return DataRandom.withSeed(DataRandom.sampleSeed(baseSeed, position), () -> dataset.get(index));
            } catch (Throwable e) {
                throw failure(e, index, batch);
            }
        }

        Batch collate(List<T> samples, int batch) {
            try {
                return collate.collate(samples);
            } catch (Throwable e) {
                throw failure(e, -1, batch);
            }
        }
    }

    private static final ThreadLocal<Integer> WORKER = new ThreadLocal<>();

    static DataLoaderException failure(Throwable e, int sampleIndex, int batch) {
        if (e instanceof VirtualMachineError) throw (VirtualMachineError) e;
        if (e instanceof DataLoaderException && ((DataLoaderException) e).batchIndex() == batch) return (DataLoaderException) e;
        Integer w = WORKER.get();
        int worker = w == null ? -1 : w;
        String where = worker >= 0 ? "DataLoader worker " + worker : "the DataLoader (numWorkers=0)";
        String what = sampleIndex >= 0 ? "while loading sample " + sampleIndex : "while collating";
        return new DataLoaderException("Caught " + e.getClass().getName() + " in " + where + " " + what + " (batch " + batch
                + "): " + e.getMessage(), e, sampleIndex, batch, worker);
    }

    /** Rethrows a worker's failure in the calling thread, keeping the worker's exception as the cause. */
    private static RuntimeException rethrow(Throwable cause, int batch) {
        if (cause instanceof DataLoaderException) {
            DataLoaderException d = (DataLoaderException) cause;
            return new DataLoaderException(d.getMessage(), d.getCause(), d.sampleIndex(), d.batchIndex(), d.worker());
        }
        if (cause instanceof Error) throw (Error) cause;
        return new DataLoaderException("DataLoader worker failed on batch " + batch + ": " + cause, cause, -1, batch, -1);
    }

    /** A map-style dataset: batch b is positions [b*batchSize, ...) of the sampler's order. */
    private final class IndexedEpoch extends Epoch {
        private final int[] order;
        private final int batches;
        private final ConcurrentLinkedDeque<Future<Batch>> pending = new ConcurrentLinkedDeque<>();
        private int returned;
        private int submitted;

        /** @param first the first batch to hand out (0, or where a resumed epoch continues) */
        IndexedEpoch(int[] order, long baseSeed, int first) {
            super(baseSeed);
            this.order = order;
            int n = order.length;
            this.batches = dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
            this.returned = Math.min(first, batches);
            this.submitted = returned;
            if (numWorkers > 0 && returned < batches) {
                startWorkers(numWorkers);
                topUp();
            }
        }

        private void topUp() {
            int depth = prefetchFactor * numWorkers;
            while (submitted < batches && pending.size() < depth && !closed) {
                int b = submitted++;
                pending.add(executor.submit(() -> loadBatch(b)));
            }
        }

        private Batch loadBatch(int b) {
            int from = b * batchSize;
            int to = Math.min(from + batchSize, order.length);
            List<T> samples = new ArrayList<>(to - from);
            for (int p = from; p < to; p++) {
                if (closed) throw new DataLoaderException("DataLoader epoch closed", null, -1, b, -1);
                samples.add(load(order[p], p, b));
            }
            return collate(samples, b);
        }

        @Override
        boolean hasNext() { return !closed && returned < batches; }

        @Override
        synchronized Map<String, Object> state() {
            if (returned >= batches) return Map.of();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(BATCHES_YIELDED, returned);
            m.put(BASE_SEED, baseSeed);
            m.put(ORDER, Torch.tensor(order));
            return m;
        }

        @Override
        Batch next() {
            if (!hasNext()) throw new NoSuchElementException(closed ? "the DataLoader epoch was closed" : "the DataLoader epoch is over");
            int b;
            synchronized (this) { b = returned++; }
            Batch batch;
            try {
                if (executor == null) {
                    batch = loadBatch(b);
                } else {
                    Future<Batch> f = pending.poll();
                    if (f == null) throw new NoSuchElementException("the DataLoader epoch was closed");
                    topUp();
                    batch = await(f, b);
                }
            } catch (RuntimeException | Error e) {
                close();
                throw e;
            }
            if (returned == batches) close();
            return batch;
        }

        private Batch await(Future<Batch> f, int b) {
            try {
                return f.get();
            } catch (ExecutionException e) {
                throw rethrow(e.getCause(), b);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DataLoaderException("interrupted while waiting for batch " + b, e, -1, b, -1);
            } catch (java.util.concurrent.CancellationException e) {
                throw new NoSuchElementException("the DataLoader epoch was closed");
            }
        }

        @Override
        void close() {
            super.close();
            for (Future<Batch> f : pending) f.cancel(true);
            pending.clear();
        }
    }

    /** An iterable dataset: read in order by the caller, or by one background producer with numWorkers &gt; 0. */
    private final class StreamEpoch extends Epoch {
        private final Object end = new Object();
        private Iterator<T> source;
        private BlockingQueue<Object> queue;
        private long position;
        private int produced;
        private Object lookahead;
        private boolean finished;
        private int returned;
        /** Samples in the batches handed out: where a resumed epoch continues. */
        private long consumed;
        /** Samples a resumed epoch skips before reading its first batch. */
        private long skip;

        StreamEpoch(long baseSeed, long skip, int firstBatch) {
            super(baseSeed);
            this.skip = skip;
            this.consumed = skip;
            this.position = skip;
            this.produced = firstBatch;
            this.returned = firstBatch;
            if (numWorkers > 0) {
                queue = new ArrayBlockingQueue<>(Math.max(1, prefetchFactor * numWorkers));
                startWorkers(1);
                executor.execute(this::produce);
            }
        }

        /** The next batch (read in the calling or the producer thread), or null at the end. */
        private Batch readBatch() {
            int b = produced;
            List<T> samples = new ArrayList<>(batchSize);
            if (source == null) {
                try {
                    source = iterable.iterator();
                    for (; skip > 0 && source.hasNext(); skip--) source.next(); // a resumed epoch: past what was handed out
                } catch (Throwable e) {
                    throw failure(e, 0, b);
                }
            }
            while (samples.size() < batchSize && !closed) {
                long p = position;
                T s;
                try {
                    if (!source.hasNext()) break;
                    s = DataRandom.withSeed(DataRandom.sampleSeed(baseSeed, p), source::next);
                } catch (Throwable e) {
                    throw failure(e, (int) Math.min(p, Integer.MAX_VALUE), b);
                }
                position++;
                samples.add(s);
            }
            if (samples.isEmpty() || (dropLast && samples.size() < batchSize)) return null;
            produced++;
            return collate(samples, b);
        }

        private void produce() {
            try {
                while (!closed) {
                    Batch batch = readBatch();
                    if (batch == null) break;
                    queue.put(batch);
                }
                queue.put(end);
            } catch (InterruptedException e) {
                // closed
            } catch (Throwable e) {
                try {
                    queue.put(e);
                } catch (InterruptedException ignored) {
                    // closed
                }
            }
        }

        @Override
        boolean hasNext() {
            if (closed) return false;
            if (lookahead != null) return true;
            if (finished) return false;
            try {
                lookahead = queue == null ? readBatch() : queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new DataLoaderException("interrupted while waiting for batch " + returned, e, -1, returned, -1);
            } catch (RuntimeException | Error e) {
                close();
                throw e;
            }
            if (lookahead == null || lookahead == end) {
                lookahead = null;
                finished = true;
                close();
                return false;
            }
            if (lookahead instanceof Throwable) {
                Throwable t = (Throwable) lookahead;
                lookahead = null;
                close();
                throw rethrow(t, returned);
            }
            return true;
        }

        @Override
        Batch next() {
            if (!hasNext()) throw new NoSuchElementException(closed ? "the DataLoader epoch was closed" : "the DataLoader epoch is over");
            Batch b = (Batch) lookahead;
            lookahead = null;
            synchronized (this) {
                returned++;
                consumed += b.size();
            }
            return b;
        }

        @Override
        synchronized Map<String, Object> state() {
            if (finished) return Map.of();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(BATCHES_YIELDED, returned);
            m.put(BASE_SEED, baseSeed);
            m.put(SAMPLES_YIELDED, consumed);
            return m;
        }
    }
}
