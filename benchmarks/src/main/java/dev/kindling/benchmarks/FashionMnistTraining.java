package dev.kindling.benchmarks;

import dev.kindling.api.Torch;
import dev.kindling.data.DataLoader;
import dev.kindling.data.Sample;
import dev.kindling.data.transforms.Compose;
import dev.kindling.data.transforms.Normalize;
import dev.kindling.data.transforms.ToTensor;
import dev.kindling.datasets.FashionMNIST;
import dev.kindling.nn.CrossEntropyLoss;
import dev.kindling.nn.ModelSpec;
import dev.kindling.nn.Module;
import dev.kindling.optim.Adam;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.SGD;
import dev.kindling.train.EvalResult;
import dev.kindling.train.ProgressLogger;
import dev.kindling.train.Precision;
import dev.kindling.train.Trainer;

/**
 * Trains the MLP (784-256-10, SGD momentum) or the CNN of ../shared/notes/cpu-performance.md (Adam) on Fashion-MNIST,
 * batch 64, and prints per-epoch wall time, samples/s and test accuracy. The PyTorch side:
 * benchmarks/pytorch_fashion_mnist.py with the same arguments.
 *
 * <pre>java -cp ... dev.kindling.benchmarks.FashionMnistTraining mlp|cnn EPOCHS [LR [sgd|adam [cosine]]]</pre> (defaults: the MLP
 * with SGD, momentum 0.9, lr 0.01; the CNN with Adam, lr 1e-3)
 */
public final class FashionMnistTraining {
    public static final String MLP = "[{\"type\":\"flatten\"},{\"type\":\"linear\",\"in\":784,\"out\":256},{\"type\":\"relu\"},"
            + "{\"type\":\"linear\",\"in\":256,\"out\":10}]";
    public static final String CNN = "[{\"type\":\"conv2d\",\"in\":1,\"out\":32,\"kernel\":3,\"padding\":1},{\"type\":\"relu\"},"
            + "{\"type\":\"maxpool2d\",\"kernel\":2},{\"type\":\"conv2d\",\"in\":32,\"out\":64,\"kernel\":3,\"padding\":1},"
            + "{\"type\":\"relu\"},{\"type\":\"maxpool2d\",\"kernel\":2},{\"type\":\"flatten\"},"
            + "{\"type\":\"linear\",\"in\":3136,\"out\":128},{\"type\":\"relu\"},{\"type\":\"linear\",\"in\":128,\"out\":10}]";

    public static void main(String[] args) {
        String which = args.length > 0 ? args[0] : "mlp";
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        double lr = args.length > 2 ? Double.parseDouble(args[2]) : which.equals("cnn") ? 1e-3 : 0.01;
        boolean adam = args.length > 3 ? args[3].equals("adam") : which.equals("cnn");
        Torch.manualSeed(0);
        var tf = new Compose<>(new ToTensor(), new Normalize(new double[] {0.2860}, new double[] {0.3530}));
        DataLoader<Sample> train = DataLoader.builder(new FashionMNIST(true, tf)).batchSize(64).shuffle(true).seed(0)
                .numWorkers(2).build();
        DataLoader<Sample> test = DataLoader.builder(new FashionMNIST(false, tf)).batchSize(1000).numWorkers(2).build();
        Module model = ModelSpec.fromJson(which.equals("cnn") ? CNN : MLP).build();
        Optimizer opt = adam ? new Adam(model.parameters(), lr)
                : SGD.builder(model.parameters()).lr(lr).momentum(0.9).build();
        Precision precision = Precision.parse(System.getProperty("kindling.precision", "32"));
        Trainer.Builder tb = Trainer.builder(model).optimizer(opt).loss(new CrossEntropyLoss()).epochs(epochs).precision(precision)
                .callbacks(new ProgressLogger(System.out, 200));
        if (args.length > 4 && args[4].equals("cosine")) {
            tb.scheduler(new dev.kindling.optim.lr.CosineAnnealingLR(opt, epochs, 0), Trainer.SchedulerInterval.EPOCH);
        }
        Trainer t = tb.build();
        long start = System.nanoTime();
        t.fit(train, test);
        EvalResult r = t.evaluate(test);
        System.out.printf("RESULT model=%s epochs=%d precision=%s test_accuracy=%.4f total_seconds=%.1f%n", which, epochs, precision.flag(),
                r.accuracy(), (System.nanoTime() - start) / 1e9);
    }
}
