package dev.kindling.train;

import com.google.protobuf.CodedInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SummaryWriterTest {
    @TempDir
    Path dir;

    record Scalar(String tag, float value, long step) {}

    /** Reads the TFRecord framing back, checking both CRCs of every record, and decodes the scalar events. */
    static List<Scalar> read(Path file, List<String> fileVersions) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Scalar> out = new ArrayList<>();
        while (b.hasRemaining()) {
            byte[] len = new byte[8];
            b.get(len);
            assertEquals(SummaryWriter.maskedCrc(len), b.getInt(), "length CRC");
            byte[] data = new byte[(int) ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong()];
            b.get(data);
            assertEquals(SummaryWriter.maskedCrc(data), b.getInt(), "data CRC");
            CodedInputStream in = CodedInputStream.newInstance(data);
            long step = 0;
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (tag >>> 3) {
                    case 1: in.readDouble(); break;
                    case 2: step = in.readInt64(); break;
                    case 3: fileVersions.add(in.readString()); break;
                    case 5: {
                        CodedInputStream s = CodedInputStream.newInstance(in.readByteArray());
                        for (int st = s.readTag(); st != 0; st = s.readTag()) {
                            CodedInputStream v = CodedInputStream.newInstance(s.readByteArray());
                            String name = null;
                            float value = Float.NaN;
                            for (int vt = v.readTag(); vt != 0; vt = v.readTag()) {
                                if (vt >>> 3 == 1) name = v.readString();
                                else if (vt >>> 3 == 2) value = v.readFloat();
                                else v.skipField(vt);
                            }
                            out.add(new Scalar(name, value, step));
                        }
                        break;
                    }
                    default: in.skipField(tag);
                }
            }
        }
        return out;
    }

    @Test
    void scalarsAreReadableTfRecords() throws IOException {
        Path file;
        try (SummaryWriter w = new SummaryWriter(dir.resolve("run1"))) {
            w.addScalar("loss/train", 0.75, 1);
            w.addScalar("accuracy/test", 0.5, 1);
            w.addScalar("loss/train", 0.25, 2);
            file = w.file();
        }
        assertTrue(file.getFileName().toString().startsWith("events.out.tfevents."));
        List<String> versions = new ArrayList<>();
        List<Scalar> s = read(file, versions);
        assertEquals(List.of("brain.Event:2"), versions);
        assertEquals(Arrays.asList(new Scalar("loss/train", 0.75f, 1), new Scalar("accuracy/test", 0.5f, 1),
                new Scalar("loss/train", 0.25f, 2)), s);
    }
}
