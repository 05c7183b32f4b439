package dev.kindling.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Vector API kernels that callers reach through long call chains must stay compile units of their own. C2 inlines
 * at most 15 calls deep, one Vector API operation takes 6 to 12 of them, and a kernel inlined below a deep caller runs
 * its vectors as boxed objects, several times slower (see {@link VectorHalf#convert}). C2 never inlines a hot method
 * of more than 325 bytecode bytes ({@code FreqInlineSize}, the same on JDK 17 and 25), so each kernel listed here must
 * stay above that size: merging a kernel's loops into one method keeps it there, splitting it into small helpers
 * called from the entry does not.
 */
class VectorKernelBoundaryTest {
    private static final int FREQ_INLINE_SIZE = 325;

    @ParameterizedTest(name = "{0}.{1}")
    @CsvSource({
        "VectorHalf, convert",
        "DotSgemm, tile",
        "MicroKernels$Avx2x4x16, run",
        "VectorSum, sum",
        "VectorMasks, compare",
        "FastF32, row",
        "FastF32, unaryRow",
        "FastF32, compareRow",
        "VectorPool, pool2x2",
    })
    void kernelIsNeverInlined(String cls, String method) throws IOException {
        int size = codeLengths(cls).getOrDefault(method, -1);
        assertTrue(size > FREQ_INLINE_SIZE, cls + "." + method + " has " + size + " bytecode bytes; a kernel of at most "
                + FREQ_INLINE_SIZE + " can be inlined into a deep caller, where C2 loses its vector intrinsics");
    }

    /** Each method's bytecode length (the largest overload's), read from the class file. */
    private static Map<String, Integer> codeLengths(String simpleName) throws IOException {
        String resource = simpleName + ".class";
        try (InputStream raw = VectorKernelBoundaryTest.class.getResourceAsStream(resource)) {
            if (raw == null) throw new IOException("no class file " + resource + " beside the tests");
            DataInputStream in = new DataInputStream(raw);
            if (in.readInt() != 0xCAFEBABE) throw new IOException(resource + " is not a class file");
            in.readUnsignedShort();
            in.readUnsignedShort();
            String[] utf8 = readConstantPool(in);
            in.skipBytes(6); // access flags, this class, super class
            in.skipBytes(2 * in.readUnsignedShort()); // interfaces
            for (int f = in.readUnsignedShort(); f > 0; f--) {
                in.skipBytes(6);
                skipAttributes(in);
            }
            Map<String, Integer> lengths = new HashMap<>();
            for (int m = in.readUnsignedShort(); m > 0; m--) {
                in.skipBytes(2);
                String name = utf8[in.readUnsignedShort()];
                in.skipBytes(2);
                for (int a = in.readUnsignedShort(); a > 0; a--) {
                    String attribute = utf8[in.readUnsignedShort()];
                    int length = in.readInt();
                    if (attribute.equals("Code")) {
                        in.skipBytes(4); // max stack, max locals
                        int code = in.readInt();
                        lengths.merge(name, code, Math::max);
                        in.skipBytes(length - 8);
                    } else {
                        in.skipBytes(length);
                    }
                }
            }
            return lengths;
        }
    }

    private static String[] readConstantPool(DataInputStream in) throws IOException {
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1: utf8[i] = in.readUTF(); break;
                case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18: in.skipBytes(4); break;
                case 5: case 6: in.skipBytes(8); i++; break; // long and double take two entries
                case 7: case 8: case 16: case 19: case 20: in.skipBytes(2); break;
                case 15: in.skipBytes(3); break;
                default: throw new IOException("constant pool tag " + tag + " at entry " + i);
            }
        }
        return utf8;
    }

    private static void skipAttributes(DataInputStream in) throws IOException {
        for (int a = in.readUnsignedShort(); a > 0; a--) {
            in.skipBytes(2);
            in.skipBytes(in.readInt());
        }
    }
}
