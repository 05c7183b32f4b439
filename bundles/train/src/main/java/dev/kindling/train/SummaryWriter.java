package dev.kindling.train;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes TensorBoard event files ({@code torch.utils.tensorboard.SummaryWriter}): scalars such as loss, accuracy and
 * learning rate, in TFRecord framing (length, masked CRC32C, an {@code Event} protobuf, masked CRC32C), so that
 * {@code tensorboard --logdir} shows the curves. Events are flushed after each write, so a killed run keeps them.
 */
public final class SummaryWriter implements Closeable {
    private final Path file;
    private final OutputStream out;

    /** Makes file names unique within the process, as PyTorch's global_uid suffix does. */
    private static final java.util.concurrent.atomic.AtomicLong UID = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Creates {@code events.out.tfevents.<seconds>.<host>.<pid>.<n>} in {@code logDir} (PyTorch's naming; {@code n} counts
     * the writers of this process, so a resumed run can log to the same directory within the same second).
     */
    public SummaryWriter(Path logDir) {
        try {
            Files.createDirectories(logDir);
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                host = "localhost";
            }
            long now = System.currentTimeMillis();
            this.file = logDir.resolve("events.out.tfevents." + now / 1000 + "." + host + "." + ProcessHandle.current().pid() + "." + UID.getAndIncrement());
            this.out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            writeEvent(event(now / 1000.0, 0, 3, ByteString.copyFromUtf8("brain.Event:2")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a TensorBoard event file in " + logDir + ": " + e.getMessage(), e);
        }
    }

    public Path file() { return file; }

    /** {@code add_scalar(tag, value, step)}. */
    public synchronized void addScalar(String tag, double value, long step) {
        try {
            ByteArrayOutputStream v = new ByteArrayOutputStream();
            CodedOutputStream cv = CodedOutputStream.newInstance(v);
            cv.writeString(1, tag);           // Summary.Value.tag
            cv.writeFloat(2, (float) value);  // Summary.Value.simple_value
            cv.flush();
            ByteArrayOutputStream s = new ByteArrayOutputStream();
            CodedOutputStream cs = CodedOutputStream.newInstance(s);
            cs.writeBytes(1, ByteString.copyFrom(v.toByteArray())); // Summary.value
            cs.flush();
            writeEvent(event(System.currentTimeMillis() / 1000.0, step, 5, ByteString.copyFrom(s.toByteArray())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + file + ": " + e.getMessage(), e);
        }
    }

    /** An Event message: wall_time (1), step (2) and one of file_version (3) / summary (5). */
    private static byte[] event(double wallTime, long step, int field, ByteString payload) throws IOException {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        CodedOutputStream ce = CodedOutputStream.newInstance(e);
        ce.writeDouble(1, wallTime);
        if (step != 0) ce.writeInt64(2, step);
        ce.writeBytes(field, payload);
        ce.flush();
        return e.toByteArray();
    }

    private void writeEvent(byte[] data) throws IOException {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length);
        ByteBuffer frame = ByteBuffer.allocate(8 + 4 + data.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        frame.put(len.array()).putInt(maskedCrc(len.array())).put(data).putInt(maskedCrc(data));
        out.write(frame.array());
        out.flush();
    }

    static int maskedCrc(byte[] b) {
        CRC32C crc = new CRC32C();
        crc.update(b);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + 0xa282ead8;
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
