package dev.kindling.train.internal;

import dev.kindling.api.DType;
import dev.kindling.api.Generator;
import dev.kindling.api.Tensor;
import dev.kindling.data.ConcatDataset;
import dev.kindling.data.Dataset;
import dev.kindling.data.Datasets;
import dev.kindling.data.Sample;
import dev.kindling.data.Subset;
import dev.kindling.data.transforms.Compose;
import dev.kindling.data.transforms.Normalize;
import dev.kindling.data.transforms.ToTensor;
import dev.kindling.data.transforms.Transform;
import dev.kindling.kernel.Kernel;
import dev.kindling.kernel.spi.DatasetProvider;
import dev.kindling.kernel.spi.ParameterSpec;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Datasets by name, prepared as the commands train and evaluate on them: created through the kernel's dataset registry,
 * preprocessed (images: ToTensor + Normalize with the dataset's statistics; digits: scaled by 1/16), and split into
 * train and test data: the dataset's own test split where it has one (a {@code train} parameter), else a seeded random
 * split (80/20 by default), the same for the same seed as {@code torch.utils.data.random_split}.
 */
final class DataPrep {
    /** Fashion-MNIST's training-set mean and standard deviation (torchvision's usual values). */
    static final double[] FASHION_MNIST = {0.2860, 0.3530};
    static final double[] MNIST = {0.1307, 0.3081};
    /** CIFAR-10's per-channel training-set means and standard deviations. */
    static final double[] CIFAR10_MEAN = {0.4914, 0.4822, 0.4465};
    static final double[] CIFAR10_STD = {0.2470, 0.2435, 0.2616};

    static final long DEFAULT_SEED = 0;
    static final double DEFAULT_TEST_FRACTION = 0.2;

    enum Split { TRAIN, TEST, ALL }

    private DataPrep() {}

    /**
     * A dataset ready for training and evaluation.
     *
     * @param ownTestSplit whether the test data is the dataset's own test split (else a seeded random split)
     * @param inputShape one preprocessed input's shape (what the model gets, without the batch dimension)
     * @param rawShape one raw input's shape, as the dataset reads it
     */
    record Data(String name, Map<String, Object> params, Dataset<Sample> train, Dataset<Sample> test, Dataset<Sample> all, boolean ownTestSplit,
                long[] inputShape, long[] rawShape, DType rawDtype, List<String> classes, boolean imageLayout,
                double testFraction, long seed, Transform<Tensor, Tensor> preprocessing) {
        int numClasses() { return classes.size(); }

        Dataset<Sample> split(Split s) {
            switch (s) {
                case TRAIN: return train;
                case TEST: return test;
                default: return all;
            }
        }

        String splitDescription(Split s) {
            String how = ownTestSplit ? "the dataset's own " + (s == Split.ALL ? "train and test splits, one after the other" : s.name().toLowerCase(Locale.ROOT) + " split")
                    : s == Split.ALL ? "all samples, in the dataset's order" : String.format(Locale.ROOT, "the %s %d%% of a seeded split (seed %d)",
                            s == Split.TRAIN ? "train" : "test", Math.round(100 * (s == Split.TRAIN ? 1 - testFraction : testFraction)), seed);
            return split(s).size() + " samples, " + how;
        }

        String describe() {
            return String.format(Locale.ROOT, "%s: %d train / %d test samples (%s), %d classes, inputs %s", name, train.size(), test.size(),
                    ownTestSplit ? "its own test split" : String.format(Locale.ROOT, "seeded %d/%d split, seed %d",
                            Math.round(100 * (1 - testFraction)), Math.round(100 * testFraction), seed),
                    numClasses(), Arrays.toString(inputShape));
        }
    }

    /**
     * Creates and prepares a dataset.
     *
     * @param params the dataset's parameters as the user gave them (strings; {@code train} and the transforms are
     *               chosen here)
     * @param imageLayout whether the model wants [C, H, W] images: feature-vector datasets that are images (digits) are
     *                    then given as [1, 8, 8]
     */
    static Data prepare(Kernel kernel, String name, Map<String, Object> params, boolean imageLayout, double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) throw new IllegalArgumentException("the test fraction must be in (0, 1), got " + testFraction);
        DatasetProvider<?> provider = kernel.datasets().get(name); // unknown: the error lists the installed datasets
        String canonical = provider.name();
        Map<String, Object> given = params == null ? new LinkedHashMap<>() : new LinkedHashMap<>(params);
        for (String reserved : List.of("train", "transform", "targetTransform")) {
            if (given.containsKey(reserved)) {
                throw new IllegalArgumentException("dataset '" + canonical + "': parameter '" + reserved + "' is chosen by Kindling"
                        + (reserved.equals("train") ? " (the train split for training, the test split for evaluation; see --split)"
                        : " (the dataset's standard preprocessing)"));
            }
        }
        boolean ownTestSplit = provider.parameters() != null && provider.parameters().stream().map(ParameterSpec::name).anyMatch("train"::equals);
        Dataset<Sample> trainRaw;
        Dataset<Sample> testRaw;
        Object created;
        if (ownTestSplit) {
            Map<String, Object> p = new LinkedHashMap<>(given);
            p.put("train", "true");
            created = provider.create(p);
            trainRaw = asDataset(canonical, created);
            p.put("train", "false");
            testRaw = asDataset(canonical, provider.create(p));
        } else {
            created = provider.create(given);
            trainRaw = asDataset(canonical, created);
            testRaw = null;
        }
        if (trainRaw.size() == 0) throw new IllegalArgumentException("dataset '" + canonical + "' is empty");
        Sample first = sample(canonical, trainRaw, 0);
        if (first.target() == null || first.target().dtype().isFloatingPoint() || first.target().dtype().isBool() || first.target().dim() != 0) {
            throw new IllegalArgumentException("dataset '" + canonical + "' has " + (first.target() == null ? "no targets"
                    : first.target().dtype().torchName() + " targets of shape " + Arrays.toString(first.target().shape()))
                    + ": training and evaluation here are for classification (one integer class index per sample)");
        }
        long[] rawShape = first.input().shape();
        DType rawDtype = first.input().dtype();
        Transform<Tensor, Tensor> pre = preprocessing(canonical, rawShape, rawDtype, imageLayout);
        long[] inputShape = (pre == null ? first.input() : pre.apply(first.input())).shape();
        List<String> classes = classes(canonical, created, trainRaw);

        Dataset<Sample> train;
        Dataset<Sample> test;
        Dataset<Sample> all;
        if (ownTestSplit) {
            train = trainRaw;
            test = testRaw;
            all = new ConcatDataset<>(List.of(trainRaw, testRaw));
        } else {
            all = trainRaw;
            List<Subset<Sample>> parts = Datasets.randomSplit(trainRaw, new double[] {1 - testFraction, testFraction}, new Generator(seed));
            if (parts.get(0).size() == 0 || parts.get(1).size() == 0) {
                throw new IllegalArgumentException("dataset '" + canonical + "' has " + trainRaw.size() + " samples: too few for a "
                        + Math.round(100 * (1 - testFraction)) + "/" + Math.round(100 * testFraction) + " split");
            }
            train = parts.get(0);
            test = parts.get(1);
        }
        if (pre != null) {
            train = map(train, pre);
            test = map(test, pre);
            all = map(all, pre);
        }
        return new Data(canonical, given, train, test, all, ownTestSplit, inputShape, rawShape, rawDtype, classes, imageLayout,
                testFraction, seed, pre);
    }

    private static Dataset<Sample> map(Dataset<Sample> ds, Transform<Tensor, Tensor> t) {
        return Datasets.map(ds, s -> new Sample(t.apply(s.input()), s.target()));
    }

    @SuppressWarnings("unchecked")
    private static Dataset<Sample> asDataset(String name, Object created) {
        if (!(created instanceof Dataset)) {
            throw new IllegalArgumentException("dataset '" + name + "' created " + (created == null ? "nothing" : "a " + created.getClass().getName())
                    + ", not a map-style Dataset of samples");
        }
        return (Dataset<Sample>) created;
    }

    private static Sample sample(String name, Dataset<?> ds, int i) {
        Object s = ds.get(i);
        if (!(s instanceof Sample)) {
            throw new IllegalArgumentException("dataset '" + name + "' gives " + (s == null ? "null" : s.getClass().getSimpleName())
                    + " samples, not Samples (an input and a class target)");
        }
        return (Sample) s;
    }

    /**
     * The standard preprocessing of a dataset's raw inputs: ToTensor + Normalize with the dataset's statistics for
     * MNIST, Fashion-MNIST and CIFAR-10 (ToTensor alone for other UINT8 images), 1/16 scaling for digits (0..16), none
     * for other feature vectors. Null when there is nothing to do.
     */
    static Transform<Tensor, Tensor> preprocessing(String dataset, long[] rawShape, DType rawDtype, boolean imageLayout) {
        switch (dataset) {
            case "digits":
                return imageLayout ? named("x / 16 as [1, 8, 8]", x -> x.div(16.0).view(1, 8, 8)) : named("x / 16", x -> x.div(16.0));
            case "mnist":
                return new Compose<>(new ToTensor(), new Normalize(new double[] {MNIST[0]}, new double[] {MNIST[1]}));
            case "fashion-mnist":
                return new Compose<>(new ToTensor(), new Normalize(new double[] {FASHION_MNIST[0]}, new double[] {FASHION_MNIST[1]}));
            case "cifar10":
                return new Compose<>(new ToTensor(), new Normalize(CIFAR10_MEAN, CIFAR10_STD));
            default:
                if (rawDtype == DType.UINT8 && (rawShape.length == 2 || rawShape.length == 3)) return new ToTensor();
                return null;
        }
    }

    private static Transform<Tensor, Tensor> named(String name, Transform<Tensor, Tensor> t) {
        return new Transform<>() {
            @Override
            public Tensor apply(Tensor x) { return t.apply(x); }

            @Override
            public String toString() { return name; }
        };
    }

    /** The class names from the dataset's {@code classes()} where it has one, else "0".."max target". */
    static List<String> classes(String name, Object dataset, Dataset<Sample> ds) {
        try {
            Method m = dataset.getClass().getMethod("classes");
            Object r = m.invoke(dataset);
            if (r instanceof List<?> && !((List<?>) r).isEmpty()) {
                List<String> out = new ArrayList<>();
                for (Object o : (List<?>) r) out.add(String.valueOf(o));
                return out;
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // no class names: count the targets
        }
        long max = -1;
        Tensor targets = null;
        try {
            Object t = dataset.getClass().getMethod("targets").invoke(dataset);
            if (t instanceof Tensor) targets = (Tensor) t;
        } catch (ReflectiveOperationException | RuntimeException e) {
            // read them sample by sample
        }
        if (targets != null && targets.numel() > 0 && !targets.dtype().isFloatingPoint()) {
            for (long v : targets.toLongArray()) max = Math.max(max, v);
        } else {
            for (int i = 0; i < ds.size(); i++) max = Math.max(max, sample(name, ds, i).target().itemLong());
        }
        if (max < 1) throw new IllegalArgumentException("dataset '" + name + "' has fewer than two classes (largest target " + max + ")");
        List<String> out = new ArrayList<>();
        for (long i = 0; i <= max; i++) out.add(Long.toString(i));
        return out;
    }
}
