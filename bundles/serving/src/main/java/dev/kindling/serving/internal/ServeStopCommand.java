package dev.kindling.serving.internal;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import java.util.List;

/**
 * {@code kindling:serve-stop}. A Gogo {@link Function} rather than a method, because Gogo looks commands up by method name
 * and "serve-stop" is not a Java identifier.
 */
@Component(service = Function.class, property = {"osgi.command.scope=kindling", "osgi.command.function=serve-stop"})
public class ServeStopCommand implements Function {
    private final ServingRuntime runtime;

    @Activate
    public ServeStopCommand(@Reference ServingRuntime runtime) { this.runtime = runtime; }

    @Override
    public Object execute(CommandSession session, List<Object> arguments) {
        if (!arguments.isEmpty()) throw new IllegalArgumentException("kindling:serve-stop takes no arguments");
        String what = runtime.describe();
        return runtime.stop() ? "stopped serving " + what : "not serving";
    }
}
