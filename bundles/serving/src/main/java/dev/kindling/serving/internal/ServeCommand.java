package dev.kindling.serving.internal;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import java.nio.file.Path;

/**
 * {@code kindling:serve <repo> [--port N] [--host H] [--wait]}, and {@code kindling:serve} alone to show what is served.
 * {@code --wait} blocks until the server stops, so {@code bin/kindling -c "kindling:serve repo --wait"} keeps a server
 * running without a console.
 */
@Component(service = ServeCommand.class, property = {"osgi.command.scope=kindling", "osgi.command.function=serve"})
public class ServeCommand {
    private final ServingRuntime runtime;

    @Activate
    public ServeCommand(@Reference ServingRuntime runtime) { this.runtime = runtime; }

    @Descriptor("serve a model repository (<repo>/<model>/<version>/model.safetensors|model.onnx|checkpoint, optional "
            + "<repo>/<model>/config.json) over HTTP: Open Inference Protocol v2, /ping, /predictions, /metrics. Without "
            + "arguments: the served versions and their state")
    public String serve(@Descriptor("<repo> [--port N] [--host H] [--wait]") String... args) throws InterruptedException {
        if (args.length == 0) return listing();
        String repo = null, host = null;
        int port = -1;
        boolean wait = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) return "kindling:serve <repo> [--port N] [--host H] [--wait]";
            if (a.equals("--wait")) {
                wait = true;
                continue;
            }
            if (a.equals("--port") || a.equals("--host")) {
                if (i + 1 == args.length) throw new IllegalArgumentException("kindling:serve: " + a + " needs a value");
                String v = args[++i];
                if (a.equals("--host")) host = v;
                else {
                    try {
                        port = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        port = -2;
                    }
                    if (port < 0 || port > 65535) throw new IllegalArgumentException("kindling:serve: --port takes 0-65535, got '" + v + "'");
                }
            } else if (a.startsWith("--")) {
                throw new IllegalArgumentException("kindling:serve: unknown option " + a + " (options: --port N, --host H, --wait)");
            } else if (repo == null) repo = a;
            else throw new IllegalArgumentException("kindling:serve: one repository at a time, got '" + repo + "' and '" + a + "'");
        }
        if (repo == null) throw new IllegalArgumentException("kindling:serve: which repository? kindling:serve <repo> [--port N] [--host H]");
        try {
            runtime.start(Path.of(repo).toAbsolutePath().normalize(), host, port);
            String listing = listing();
            if (!wait) return listing;
            System.out.println(listing);
            System.out.flush();
            runtime.awaitStop();
            return "stopped";
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("kindling:serve: " + e.getMessage(), e);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new IllegalArgumentException("kindling:serve: " + e.getMessage(), e);
        }
    }

    String listing() {
        String what = runtime.describe();
        if (what == null) return "not serving (kindling:serve <repo>)";
        StringBuilder sb = new StringBuilder("serving ").append(what).append('\n');
        sb.append(String.format("%-24s %-8s %-12s %s%n", "MODEL", "VERSION", "STATE", "REASON"));
        for (ModelRepository.Entry e : runtime.index()) {
            sb.append(String.format("%-24s %-8s %-12s %s%n", e.name(), e.version().isEmpty() ? "-" : e.version(), e.state(), e.reason()));
        }
        return sb.toString().stripTrailing();
    }
}
