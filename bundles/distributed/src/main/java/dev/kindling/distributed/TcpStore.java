package dev.kindling.distributed;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link Store} served over TCP by one process, the master (rank 0 for {@code env://} and {@code tcp://}), as
 * c10d's {@code TCPStore}. Other processes connect to it. The master also notices ranks that vanish: a client that
 * told the store its rank and then drops its connection without closing the store (a killed process) is recorded
 * under {@link #LOST_RANK_KEY}, so the survivors can name the rank they lost. Once it has recorded one, the master
 * keeps serving for up to {@link #LINGER} after its own process is told to exit (or its store to close) while other
 * ranks are still connected: a master that fails right after the lost rank (its collectives broke too) would otherwise
 * take the store with it, and a survivor asking a moment later would learn only that the master was gone.
 */
public final class TcpStore implements Store {
    /** Set (to the rank, as text) by the master when the first rank's connection drops without a goodbye. */
    public static final String LOST_RANK_KEY = "kindling/lost_rank";

    private static final byte SET = 1, GET = 2, ADD = 3, CAS = 4, CHECK = 5, WAIT = 6, DELETE = 7, HELLO = 8, BYE = 9;
    private static final byte OK = 0, TIMEOUT = 1, ERROR = 2;

    /** How long a master that recorded a lost rank waits for the other ranks to hang up before it stops serving. */
    static final Duration LINGER = Duration.ofSeconds(2);

    private final String host;
    private final int port;
    private final int rank;
    private volatile Duration timeout;
    // master side
    private final HashStore served;
    private final ServerSocket server;
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private volatile boolean lostRecorded;
    /** A shutdown hook that lingers (see the class comment); removed when the store is closed. */
    private final Thread lingerAtExit;
    // client side
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private volatile boolean closed;

    /**
     * @param host the master's address (the master binds it; port 0 picks a free port, see {@link #port()})
     * @param isMaster whether this process serves the store
     * @param rank this process's rank, used to name it if it is lost (-1: not a rank)
     * @param timeout how long to wait for the master to come up, and the default wait of {@link #get}
     */
    public TcpStore(String host, int port, boolean isMaster, int rank, Duration timeout) {
        this.host = host;
        this.rank = rank;
        this.timeout = timeout;
        if (isMaster) {
            served = new HashStore();
            served.setTimeout(timeout);
            try {
                server = new ServerSocket();
                server.setReuseAddress(true);
                server.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            } catch (IOException e) {
                throw new DistributedException("TcpStore: rank " + rank + " cannot serve the store on " + host + ":" + port + ": " + e.getMessage(), e);
            }
            this.port = server.getLocalPort();
            socket = null;
            in = null;
            out = null;
            Thread acceptor = new Thread(this::acceptLoop, "kindling-tcpstore-" + this.port);
            acceptor.setDaemon(true);
            acceptor.start();
            lingerAtExit = new Thread(this::lingerForSurvivors, "kindling-tcpstore-linger-" + this.port);
            Runtime.getRuntime().addShutdownHook(lingerAtExit);
        } else {
            lingerAtExit = null;
            served = null;
            server = null;
            this.port = port;
            socket = connect(host, port, timeout);
            try {
                socket.setTcpNoDelay(true);
                in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
                out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
                if (rank >= 0) {
                    synchronized (this) {
                        out.writeByte(HELLO);
                        out.writeInt(rank);
                        out.flush();
                        readStatus("hello");
                    }
                }
            } catch (IOException e) {
                throw lost(e);
            }
        }
    }

    private Socket connect(String host, int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(host, port), 1000);
                return s;
            } catch (IOException e) {
                last = e;
                try {
                    s.close();
                    Thread.sleep(20);
                } catch (IOException | InterruptedException ignored) {
                    if (ignored instanceof InterruptedException) Thread.currentThread().interrupt();
                }
            }
        }
        throw new DistributedTimeoutException("TcpStore: rank " + rank + " could not reach the master at " + host + ":" + port + " within "
                + timeout.toMillis() + " ms (" + (last == null ? "no attempt" : last.getMessage()) + ")", 0, last);
    }

    /** The port the master listens on. */
    public int port() { return port; }

    public boolean isMaster() { return server != null; }

    /** The rank the master recorded as lost, if any (see {@link #LOST_RANK_KEY}). */
    @Override
    public OptionalInt lostRank() {
        try {
            if (!check(List.of(LOST_RANK_KEY))) return OptionalInt.empty();
            return OptionalInt.of(Integer.parseInt(getString(LOST_RANK_KEY)));
        } catch (DistributedException e) {
            return e.lostRank();
        }
    }

    // ---------------------------------------------------------------- master

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                clients.add(s);
                Thread t = new Thread(() -> serve(s), "kindling-tcpstore-client-" + s.getPort());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) System.err.println("TcpStore: accept failed: " + e);
                return;
            }
        }
    }

    private void serve(Socket s) {
        int clientRank = -1;
        boolean goodbye = false;
        try (s; DataInputStream rin = new DataInputStream(new BufferedInputStream(s.getInputStream()));
             DataOutputStream rout = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()))) {
            while (true) {
                byte op = rin.readByte();
                if (op == BYE) {
                    goodbye = true;
                    return;
                }
                try {
                    switch (op) {
                        case HELLO -> {
                            clientRank = rin.readInt();
                            rout.writeByte(OK);
                        }
                        case SET -> {
                            served.set(rin.readUTF(), readBytes(rin));
                            rout.writeByte(OK);
                        }
                        case GET -> {
                            String key = rin.readUTF();
                            long ms = rin.readLong();
                            served.wait(List.of(key), Duration.ofMillis(ms));
                            byte[] v = served.get(key);
                            rout.writeByte(OK);
                            writeBytes(rout, v);
                        }
                        case ADD -> {
                            long n = served.add(rin.readUTF(), rin.readLong());
                            rout.writeByte(OK);
                            rout.writeLong(n);
                        }
                        case CAS -> {
                            String key = rin.readUTF();
                            byte[] v = served.compareSet(key, readBytes(rin), readBytes(rin));
                            rout.writeByte(OK);
                            writeBytes(rout, v);
                        }
                        case CHECK -> {
                            boolean b = served.check(readKeys(rin));
                            rout.writeByte(OK);
                            rout.writeBoolean(b);
                        }
                        case WAIT -> {
                            List<String> keys = readKeys(rin);
                            served.wait(keys, Duration.ofMillis(rin.readLong()));
                            rout.writeByte(OK);
                        }
                        case DELETE -> {
                            boolean b = served.deleteKey(rin.readUTF());
                            rout.writeByte(OK);
                            rout.writeBoolean(b);
                        }
                        default -> throw new IOException("TcpStore: unknown request " + op);
                    }
                } catch (DistributedTimeoutException e) {
                    rout.writeByte(TIMEOUT);
                    rout.writeUTF(e.getMessage());
                } catch (RuntimeException e) {
                    rout.writeByte(ERROR);
                    rout.writeUTF(String.valueOf(e.getMessage()));
                }
                rout.flush();
            }
        } catch (IOException e) {
            // the client is gone: below, a rank that left without a goodbye is recorded as lost
        } finally {
            clients.remove(s);
            if (!goodbye && clientRank >= 0 && !closed) {
                byte[] r = Integer.toString(clientRank).getBytes(StandardCharsets.UTF_8);
                served.compareSet(LOST_RANK_KEY, new byte[0], r);
                served.set("kindling/lost/" + clientRank, r);
                lostRecorded = true;
            }
        }
    }

    /** While a lost rank is recorded and other ranks are connected, waits (up to {@link #LINGER}) for them to hang up. */
    private void lingerForSurvivors() {
        if (closed || !lostRecorded) return;
        long deadline = System.nanoTime() + LINGER.toNanos();
        while (!clients.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static List<String> readKeys(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<String> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) keys.add(in.readUTF());
        return keys;
    }

    // ---------------------------------------------------------------- client

    private interface Request<T> {
        T run() throws IOException;
    }

    private synchronized <T> T call(String what, long waitMillis, Request<T> request) {
        if (closed) throw new DistributedException("TcpStore: " + what + " on a closed store");
        try {
            // The master enforces the wait; the socket timeout only guards against a master that stopped answering.
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, waitMillis + 30_000));
            return request.run();
        } catch (SocketTimeoutException e) {
            throw new DistributedTimeoutException("TcpStore: the master at " + host + ":" + port + " did not answer " + what, 0, e);
        } catch (IOException e) {
            throw lost(e);
        }
    }

    private DistributedException lost(IOException e) {
        return new DistributedException("TcpStore: lost the connection to the store's master (rank 0) at " + host + ":" + port
                + (e instanceof EOFException ? ": connection closed" : ": " + e.getMessage()), 0, e);
    }

    private void readStatus(String what) throws IOException {
        out.flush();
        byte status = in.readByte();
        if (status == OK) return;
        String message = in.readUTF();
        if (status == TIMEOUT) throw new DistributedTimeoutException("TcpStore (" + what + "): " + message);
        throw new DistributedException("TcpStore (" + what + "): " + message);
    }

    @Override
    public void set(String key, byte[] value) {
        if (served != null) {
            served.set(key, value);
            return;
        }
        call("set", 0, () -> {
            out.writeByte(SET);
            out.writeUTF(key);
            writeBytes(out, value);
            readStatus("set " + key);
            return null;
        });
    }

    @Override
    public byte[] get(String key) {
        if (served != null) {
            served.wait(List.of(key), timeout);
            return served.get(key);
        }
        long ms = timeout.toMillis();
        return call("get", ms, () -> {
            out.writeByte(GET);
            out.writeUTF(key);
            out.writeLong(ms);
            readStatus("get " + key);
            return readBytes(in);
        });
    }

    @Override
    public long add(String key, long delta) {
        if (served != null) return served.add(key, delta);
        return call("add", 0, () -> {
            out.writeByte(ADD);
            out.writeUTF(key);
            out.writeLong(delta);
            readStatus("add " + key);
            return in.readLong();
        });
    }

    @Override
    public byte[] compareSet(String key, byte[] expected, byte[] desired) {
        if (served != null) return served.compareSet(key, expected, desired);
        return call("compareSet", 0, () -> {
            out.writeByte(CAS);
            out.writeUTF(key);
            writeBytes(out, expected);
            writeBytes(out, desired);
            readStatus("compareSet " + key);
            return readBytes(in);
        });
    }

    @Override
    public boolean check(List<String> keys) {
        if (served != null) return served.check(keys);
        return call("check", 0, () -> {
            out.writeByte(CHECK);
            writeKeys(keys);
            readStatus("check " + keys);
            return in.readBoolean();
        });
    }

    private void writeKeys(List<String> keys) throws IOException {
        out.writeInt(keys.size());
        for (String k : keys) out.writeUTF(k);
    }

    @Override
    public void wait(List<String> keys, Duration timeout) {
        if (served != null) {
            served.wait(keys, timeout);
            return;
        }
        long ms = timeout.toMillis();
        call("wait", ms, () -> {
            out.writeByte(WAIT);
            writeKeys(keys);
            out.writeLong(ms);
            readStatus("wait " + keys);
            return null;
        });
    }

    @Override
    public boolean deleteKey(String key) {
        if (served != null) return served.deleteKey(key);
        return call("deleteKey", 0, () -> {
            out.writeByte(DELETE);
            out.writeUTF(key);
            readStatus("deleteKey " + key);
            return in.readBoolean();
        });
    }

    @Override
    public Duration timeout() { return timeout; }

    @Override
    public void setTimeout(Duration timeout) { this.timeout = timeout; }

    /** A client says goodbye (so it is not recorded as lost) and disconnects; the master stops serving. */
    @Override
    public void close() {
        if (closed) return;
        if (server != null) {
            lingerForSurvivors();
            try {
                Runtime.getRuntime().removeShutdownHook(lingerAtExit);
            } catch (IllegalStateException exiting) {
                // closed from another shutdown hook: this one has lingered or will find the store closed
            }
            closed = true;
            try {
                server.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            for (Socket s : clients) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            return;
        }
        synchronized (this) {
            closed = true;
            try {
                out.writeByte(BYE);
                out.flush();
            } catch (IOException ignored) {
                // the master is gone already
            }
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
