package dev.kindling.io.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Emits pickle protocol 2 with only the opcodes PyTorch 1.13's {@code weights_only} unpickler accepts (no BINFLOAT,
 * no protocol 4 framing): PROTO, GLOBAL, MARK, TUPLE*, EMPTY_TUPLE, EMPTY_DICT, BININT*, LONG1, BINUNICODE, NEWFALSE,
 * BINPERSID, REDUCE, SETITEMS, BINPUT, BINGET, STOP. Globals are memoised as {@code pickle} does.
 */
public final class PickleWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, Integer> memo = new HashMap<>();

    public PickleWriter() {
        out.write(0x80);
        out.write(2);
    }

    public byte[] finish() {
        out.write('.');
        return out.toByteArray();
    }

    public PickleWriter mark() { out.write('('); return this; }

    public PickleWriter tuple() { out.write('t'); return this; }

    public PickleWriter emptyTuple() { out.write(')'); return this; }

    public PickleWriter reduce() { out.write('R'); return this; }

    public PickleWriter setItems() { out.write('u'); return this; }

    public PickleWriter binPersId() { out.write('Q'); return this; }

    public PickleWriter bool(boolean v) { out.write(v ? 0x88 : 0x89); return this; }

    /** {@code module.name}, written once and fetched from the memo afterwards. */
    public PickleWriter global(String module, String name) {
        String key = "g:" + module + "\n" + name;
        if (fetch(key)) return this;
        out.write('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return put(key);
    }

    /** A string, memoised so repeated ones ({@code 'storage'}, {@code 'cpu'}) cost two bytes. */
    public PickleWriter str(String s, boolean memoise) {
        String key = "s:" + s;
        if (memoise && fetch(key)) return this;
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        le32(b.length);
        out.writeBytes(b);
        return memoise ? put(key) : this;
    }

    public PickleWriter integer(long v) {
        if (v >= 0 && v < 0x100) {
            out.write('K');
            out.write((int) v);
        } else if (v >= 0 && v < 0x10000) {
            out.write('M');
            out.write((int) v & 0xff);
            out.write((int) (v >>> 8) & 0xff);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write('J');
            le32((int) v);
        } else {
            // LONG1: little-endian two's complement, as short as the sign allows
            byte[] b = new byte[8];
            for (int i = 0; i < 8; i++) b[i] = (byte) (v >>> (8 * i));
            int n = 8;
            while (n > 1 && ((b[n - 1] == 0 && b[n - 2] >= 0) || (b[n - 1] == -1 && b[n - 2] < 0))) n--;
            out.write(0x8a);
            out.write(n);
            out.write(b, 0, n);
        }
        return this;
    }

    /** A tuple of ints, with TUPLE1/2/3 for the short ones as pickle does. */
    public PickleWriter ints(long[] v) {
        if (v.length == 0) return emptyTuple();
        if (v.length > 3) mark();
        for (long x : v) integer(x);
        out.write(v.length == 1 ? 0x85 : v.length == 2 ? 0x86 : v.length == 3 ? 0x87 : 't');
        return this;
    }

    private boolean fetch(String key) {
        Integer i = memo.get(key);
        if (i == null) return false;
        if (i < 0x100) {
            out.write('h');
            out.write(i);
        } else {
            out.write('j');
            le32(i);
        }
        return true;
    }

    private PickleWriter put(String key) {
        int i = memo.size();
        memo.put(key, i);
        if (i < 0x100) {
            out.write('q');
            out.write(i);
        } else {
            out.write('r');
            le32(i);
        }
        return this;
    }

    private void le32(int v) {
        for (int i = 0; i < 4; i++) out.write((v >>> (8 * i)) & 0xff);
    }
}
