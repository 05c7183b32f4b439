package dev.kindling.onnx.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kindling.api.DType;
import dev.kindling.api.Tensor;
import dev.kindling.api.Torch;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/** ONNX Runtime (Java, CPU) as the reference the exports are checked against. */
final class Ort implements AutoCloseable {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    Ort(byte[] model, boolean optimize) throws OrtException {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(optimize ? OrtSession.SessionOptions.OptLevel.ALL_OPT : OrtSession.SessionOptions.OptLevel.NO_OPT);
            o.setIntraOpNumThreads(1);
            session = ENV.createSession(model, o);
        }
    }

    OrtSession session() { return session; }

    /** Runs the model on named inputs; returns output 0 as a Kindling float tensor. */
    Tensor run(Map<String, Tensor> inputs) throws OrtException {
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                Tensor t = e.getValue().contiguous();
                OnnxTensor o = t.dtype() == DType.INT64
                        ? OnnxTensor.createTensor(ENV, LongBuffer.wrap(t.toLongArray()), t.shape())
                        : OnnxTensor.createTensor(ENV, FloatBuffer.wrap(t.to(DType.FLOAT32).toFloatArray()), t.shape());
                feeds.put(e.getKey(), o);
            }
            try (OrtSession.Result r = session.run(feeds)) {
                OnnxTensor out = (OnnxTensor) r.get(0);
                long[] shape = out.getInfo().getShape();
                FloatBuffer fb = out.getFloatBuffer();
                float[] data = new float[fb.remaining()];
                fb.get(data);
                return Torch.tensor(data, shape);
            }
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() throws OrtException { session.close(); }
}
