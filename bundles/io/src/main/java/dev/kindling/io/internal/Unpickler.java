package dev.kindling.io.internal;

import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An allow-list unpickler after PyTorch's {@code weights_only=True} rules. It understands the pickle opcodes
 * {@code torch.save} emits (protocol 2, and the few protocol 3/4 ones a {@code pickle_protocol=4} save adds) and builds
 * only plain values: {@code None}, {@code bool}, {@code int} ({@link Long}, or {@link BigInteger} past 64 bits),
 * {@code float} ({@link Double}), {@code str}, {@code bytes}, {@code list} ({@link ArrayList}), {@code tuple}
 * ({@link Tuple}), {@code dict}/{@code collections.OrderedDict} ({@link Dict}), allow-listed globals
 * ({@link Global}), and whatever the {@link Hooks} make of persistent ids and allow-listed calls (storages, tensors).
 * Any other global, {@code NEWOBJ}/{@code INST}/{@code OBJ} of a class, or call of a non-allow-listed callable fails
 * with a {@link PickleException} naming the byte offset and the opcode. Nothing from the data is ever executed or
 * instantiated by name. Work and memory are linear in the pickle's length (every opcode consumes input; the memo is a
 * map, so huge indices cost nothing).
 */
public final class Unpickler {
    /** Callables the hooks implement (tensor rebuilding); everything else allowed is built here. */
    public static final Set<String> HOOK_CALLS = Set.of(
            "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor", "torch._utils._rebuild_parameter",
            "torch._utils._rebuild_parameter_with_state");
    /** Storage classes, referenced only from persistent ids. */
    public static final Set<String> STORAGE_CLASSES = Set.of(
            "torch.FloatStorage", "torch.DoubleStorage", "torch.HalfStorage", "torch.BFloat16Storage", "torch.LongStorage",
            "torch.IntStorage", "torch.ShortStorage", "torch.CharStorage", "torch.ByteStorage", "torch.BoolStorage",
            "torch.ComplexFloatStorage", "torch.ComplexDoubleStorage", "torch.QInt8Storage", "torch.QUInt8Storage",
            "torch.QInt32Storage", "torch.UntypedStorage", "torch.storage.UntypedStorage");
    private static final Set<String> PLAIN_CALLS = Set.of("collections.OrderedDict", "torch.Size");
    private static final int MAX_NAME = 256;

    /** What the caller builds: storages from persistent ids, tensors from allow-listed calls. */
    public interface Hooks {
        Object persistentLoad(Tuple pid, int offset);

        Object call(String global, Tuple args, int offset);
    }

    /** A Python tuple (identity equality: never a dict key here). */
    public static final class Tuple {
        public final Object[] items;

        public Tuple(Object[] items) { this.items = items; }

        public int size() { return items.length; }

        public Object get(int i) { return items[i]; }
    }

    /** A dict or {@code collections.OrderedDict}, in insertion order; {@link #attributes} holds what BUILD set. */
    public static final class Dict extends LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;
        public final boolean ordered;
        public final Map<Object, Object> attributes = new LinkedHashMap<>();

        Dict(boolean ordered) { this.ordered = ordered; }

        @Override public boolean equals(Object o) { return this == o; }

        @Override public int hashCode() { return System.identityHashCode(this); }
    }

    /** An allow-listed global, e.g. {@code torch.FloatStorage}. */
    public record Global(String module, String name) {
        public String qualified() { return module + "." + name; }
    }

    private static final Object MARK_OBJ = new Object();

    private final byte[] data;
    private final int end;
    private final Hooks hooks;
    private int pos;
    private int opStart;
    private int op;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    public Unpickler(byte[] data, int start, int end, Hooks hooks) {
        this.data = data;
        this.pos = start;
        this.end = end;
        this.hooks = hooks;
    }

    /** Offset just past the STOP opcode, after {@link #load()}. */
    public int position() { return pos; }

    public Object load() {
        while (true) {
            opStart = pos;
            if (pos >= end) throw fail("the pickle ends without a STOP opcode");
            op = data[pos++] & 0xff;
            switch (op) {
                case 0x80: { int proto = u8(); if (proto > 5) throw fail("unsupported pickle protocol " + proto); break; } // PROTO
                case 0x95: need(8); pos += 8; break; // FRAME: a hint only
                case '.': { // STOP
                    if (!marks.isEmpty()) throw fail("STOP inside an unclosed MARK");
                    if (stack.size() != 1) throw fail("STOP with " + stack.size() + " objects on the stack (expected 1)");
                    return stack.get(0);
                }
                case '(': marks.add(stack.size()); break; // MARK
                case '0': pop(); break; // POP
                case '1': popMark(); break; // POP_MARK
                case 'N': push(null); break;
                case 0x88: push(Boolean.TRUE); break;
                case 0x89: push(Boolean.FALSE); break;
                case 'J': push((long) i32()); break; // BININT
                case 'K': push((long) u8()); break; // BININT1
                case 'M': push((long) u16()); break; // BININT2
                case 0x8a: push(longOf(bytes(u8()))); break; // LONG1
                case 0x8b: { // LONG4
                    int n = i32();
                    if (n < 0) throw fail("LONG4 with negative length " + n);
                    push(longOf(bytes(n)));
                    break;
                }
                case 'G': need(8); push(Double.longBitsToDouble(be64())); break; // BINFLOAT (big-endian)
                case 'X': push(utf8(len32("BINUNICODE"))); break;
                case 0x8c: push(utf8(u8())); break; // SHORT_BINUNICODE
                case 0x8d: push(utf8(len64("BINUNICODE8"))); break;
                case 'U': push(new String(bytes(u8()), StandardCharsets.ISO_8859_1)); break; // SHORT_BINSTRING
                case 'T': push(new String(bytes(len32("BINSTRING")), StandardCharsets.ISO_8859_1)); break;
                case 'C': push(bytes(u8())); break; // SHORT_BINBYTES
                case 'B': push(bytes(len32("BINBYTES"))); break;
                case ')': push(new Tuple(new Object[0])); break;
                case 't': push(new Tuple(popMark().toArray())); break;
                case 0x85: { Object a = pop(); push(new Tuple(new Object[] {a})); break; }
                case 0x86: { Object b = pop(), a = pop(); push(new Tuple(new Object[] {a, b})); break; }
                case 0x87: { Object c = pop(), b = pop(), a = pop(); push(new Tuple(new Object[] {a, b, c})); break; }
                case ']': push(new ArrayList<>()); break;
                case 'l': push(new ArrayList<>(popMark())); break; // LIST
                case 'a': { Object v = pop(); list(top()).add(v); break; } // APPEND
                case 'e': { List<Object> items = popMark(); list(top()).addAll(items); break; } // APPENDS
                case '}': push(new Dict(false)); break;
                case 'd': { List<Object> items = popMark(); Dict d = new Dict(false); putAll(d, items); push(d); break; } // DICT
                case 's': { Object v = pop(), k = pop(); put(dict(top()), k, v); break; } // SETITEM
                case 'u': { List<Object> items = popMark(); putAll(dict(top()), items); break; } // SETITEMS
                case 'h': push(get(u8())); break; // BINGET
                case 'j': push(get(u32())); break; // LONG_BINGET
                case 'q': memo.put((long) u8(), top()); break; // BINPUT
                case 'r': memo.put(u32(), top()); break; // LONG_BINPUT
                case 0x94: memo.put((long) memo.size(), top()); break; // MEMOIZE
                case 'c': { // GLOBAL
                    String module = line("module");
                    String name = line("name");
                    push(global(module, name));
                    break;
                }
                case 0x93: { // STACK_GLOBAL
                    Object name = pop(), module = pop();
                    if (!(module instanceof String) || !(name instanceof String)) throw fail("STACK_GLOBAL needs two strings");
                    push(global((String) module, (String) name));
                    break;
                }
                case 'Q': { // BINPERSID
                    Object pid = pop();
                    if (!(pid instanceof Tuple)) throw fail("persistent id is " + aType(pid) + ", not a tuple");
                    if (hooks == null) throw fail("a persistent id where none is expected");
                    push(hooks.persistentLoad((Tuple) pid, opStart));
                    break;
                }
                case 'R': { // REDUCE
                    Object args = pop();
                    Object fn = pop();
                    if (!(args instanceof Tuple)) throw fail("REDUCE arguments are " + aType(args) + ", not a tuple");
                    push(call(fn, (Tuple) args));
                    break;
                }
                case 'b': { // BUILD
                    Object state = pop();
                    Object inst = top();
                    if (!(inst instanceof Dict) || !((Dict) inst).ordered) {
                        throw fail("BUILD of " + aType(inst) + ": only collections.OrderedDict attributes may be set");
                    }
                    if (!(state instanceof Dict)) throw fail("BUILD state is " + aType(state) + ", not a dict");
                    ((Dict) inst).attributes.putAll((Dict) state);
                    break;
                }
                case 0x81: case 0x92: { // NEWOBJ, NEWOBJ_EX
                    if (op == 0x92) pop();
                    pop();
                    Object cls = pop();
                    throw fail("NEWOBJ of " + describe(cls) + " is not allowed (weights_only: no class is instantiated)");
                }
                case 'i': throw fail("INST " + line("module") + "." + line("name") + " is not allowed (weights_only: no class is instantiated)");
                case 'o': throw fail("OBJ is not allowed (weights_only: no class is instantiated)");
                default: throw fail("unsupported pickle opcode 0x" + Integer.toHexString(op) + printable(op));
            }
        }
    }

    private static String printable(int op) { return op >= 0x20 && op < 0x7f ? " ('" + (char) op + "')" : ""; }

    private Object global(String module, String name) {
        String q = module + "." + name;
        if (HOOK_CALLS.contains(q) || STORAGE_CLASSES.contains(q) || PLAIN_CALLS.contains(q)) return new Global(module, name);
        throw fail("global '" + q + "' is not allowed: Kindling reads tensors, storages, collections.OrderedDict and "
                + "plain dict/list/tuple/str/int/float/bool/None only (PyTorch's weights_only rules)");
    }

    private Object call(Object fn, Tuple args) {
        if (!(fn instanceof Global)) throw fail("REDUCE of " + aType(fn) + ": only allow-listed torch functions may be called");
        String q = ((Global) fn).qualified();
        if (HOOK_CALLS.contains(q)) {
            if (hooks == null) throw fail(q + " where no tensor is expected");
            return hooks.call(q, args, opStart);
        }
        if (q.equals("collections.OrderedDict")) {
            Dict d = new Dict(true);
            if (args.size() == 1 && args.get(0) instanceof List) {
                for (Object kv : (List<?>) args.get(0)) {
                    if (!(kv instanceof Tuple) || ((Tuple) kv).size() != 2) throw fail("OrderedDict items must be (key, value) pairs");
                    put(d, ((Tuple) kv).get(0), ((Tuple) kv).get(1));
                }
            } else if (args.size() != 0) {
                throw fail("OrderedDict called with " + args.size() + " arguments");
            }
            return d;
        }
        if (q.equals("torch.Size")) {
            if (args.size() == 0) return new Tuple(new Object[0]);
            if (args.size() == 1 && args.get(0) instanceof Tuple) return args.get(0);
            if (args.size() == 1 && args.get(0) instanceof List) return new Tuple(((List<?>) args.get(0)).toArray());
            throw fail("torch.Size needs one tuple of ints");
        }
        throw fail("'" + q + "' cannot be called (only torch._utils rebuild functions, OrderedDict and torch.Size)");
    }

    // ------------------------------------------------------------------ stack

    private void push(Object o) { stack.add(o); }

    private int floor() { return marks.isEmpty() ? 0 : marks.get(marks.size() - 1); }

    private Object pop() {
        if (stack.size() <= floor()) throw fail("stack underflow");
        return stack.remove(stack.size() - 1);
    }

    private Object top() {
        if (stack.size() <= floor()) throw fail("stack underflow");
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) throw fail("no MARK to pop to");
        int m = marks.remove(marks.size() - 1);
        List<Object> sub = new ArrayList<>(stack.subList(m, stack.size()));
        stack.subList(m, stack.size()).clear();
        return sub;
    }

    private Object get(long index) {
        if (!memo.containsKey(index)) throw fail("memo index " + index + " was never stored");
        return memo.get(index);
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) {
        if (!(o instanceof ArrayList)) throw fail("append to " + aType(o) + ", not a list");
        return (List<Object>) o;
    }

    private Dict dict(Object o) {
        if (!(o instanceof Dict)) throw fail("set item on " + aType(o) + ", not a dict");
        return (Dict) o;
    }

    private void putAll(Dict d, List<Object> items) {
        if (items.size() % 2 != 0) throw fail("odd number of items (" + items.size() + ") for a dict");
        for (int i = 0; i < items.size(); i += 2) put(d, items.get(i), items.get(i + 1));
    }

    private void put(Dict d, Object k, Object v) {
        // keys are scalars only, so hashing never walks a (possibly cyclic) container
        if (!(k == null || k instanceof String || k instanceof Long || k instanceof BigInteger || k instanceof Boolean || k instanceof Double)) {
            throw fail("dict key of type " + typeName(k) + " (Kindling accepts str, int, float, bool and None keys)");
        }
        d.put(k, v);
    }

    // ------------------------------------------------------------------ input

    private void need(long n) {
        if (n > end - pos) throw fail("needs " + n + " more bytes but the pickle has " + (end - pos) + " left");
    }

    private int u8() { need(1); return data[pos++] & 0xff; }

    private int u16() { need(2); int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8; pos += 2; return v; }

    private int i32() {
        need(4);
        int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8 | (data[pos + 2] & 0xff) << 16 | (data[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    private long u32() { return i32() & 0xffffffffL; }

    private long be64() {
        long v = 0;
        for (int i = 0; i < 8; i++) v = v << 8 | (data[pos + i] & 0xff);
        pos += 8;
        return v;
    }

    private int len32(String what) {
        long n = u32();
        need(n);
        return (int) n;
    }

    private int len64(String what) {
        need(8);
        long n = 0;
        for (int i = 7; i >= 0; i--) n = n << 8 | (data[pos + i] & 0xff);
        pos += 8;
        if (n < 0) throw fail(what + " length " + Long.toUnsignedString(n) + " is past the end of the pickle");
        need(n);
        return (int) n;
    }

    private byte[] bytes(int n) {
        need(n);
        byte[] b = new byte[n];
        System.arraycopy(data, pos, b, 0, n);
        pos += n;
        return b;
    }

    private String utf8(int n) {
        need(n);
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(data, pos, n)).toString();
            pos += n;
            return s;
        } catch (CharacterCodingException e) {
            throw fail("string of " + n + " bytes is not valid UTF-8");
        }
    }

    private String line(String what) {
        int start = pos;
        while (pos < end && data[pos] != '\n') {
            if (pos - start > MAX_NAME) throw fail("GLOBAL " + what + " longer than " + MAX_NAME + " bytes");
            pos++;
        }
        if (pos >= end) throw fail("GLOBAL " + what + " runs past the end of the pickle");
        String s = new String(data, start, pos - start, StandardCharsets.UTF_8);
        pos++;
        return s;
    }

    /** Little-endian two's complement, as pickle's LONG1/LONG4. */
    private static Object longOf(byte[] b) {
        if (b.length == 0) return 0L;
        byte[] be = new byte[b.length];
        for (int i = 0; i < b.length; i++) be[i] = b[b.length - 1 - i];
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    // ------------------------------------------------------------------ errors

    private PickleException fail(String message) {
        return new PickleException(opStart, op, message);
    }

    public static String typeName(Object o) {
        if (o == null) return "None";
        if (o instanceof Boolean) return "bool";
        if (o instanceof Long || o instanceof BigInteger) return "int";
        if (o instanceof Double) return "float";
        if (o instanceof String) return "str";
        if (o instanceof byte[]) return "bytes";
        if (o instanceof Tuple) return "tuple";
        if (o instanceof List) return "list";
        if (o instanceof Dict) return ((Dict) o).ordered ? "OrderedDict" : "dict";
        if (o instanceof Global) return ((Global) o).qualified();
        return o.getClass().getSimpleName();
    }

    /** "an int", "a str", ... for messages. */
    public static String aType(Object o) {
        String t = typeName(o);
        return ("aeiouAEIOU".indexOf(t.charAt(0)) >= 0 ? "an " : "a ") + t;
    }

    private static String describe(Object o) { return o instanceof Global ? ((Global) o).qualified() : aType(o); }

    /** A pickle that cannot be read safely: the byte offset of the opcode, the opcode and the problem. */
    public static final class PickleException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final int offset;
        public final int opcode;

        public PickleException(int offset, int opcode, String message) {
            super(message);
            this.offset = offset;
            this.opcode = opcode;
        }
    }
}
