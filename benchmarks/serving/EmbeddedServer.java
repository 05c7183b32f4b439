import dev.kindling.api.Torch;
import dev.kindling.io.Models;
import dev.kindling.nn.ModelSpec;
import dev.kindling.nn.Module;
import dev.kindling.serving.ModelServing;
import java.nio.file.*;
/**
 * The benchmark model (a 64-128-10 MLP, max_batch_size 32) served by ModelServing on an embedded Jetty 12 at the given
 * port, until killed: {@code java -cp <kindling-serving and its dependencies> EmbeddedServer.java 18080}, then
 * {@code wrk -t2 -c64 -d30s -s infer.lua http://127.0.0.1:18080/v2/models/mlp/infer}.
 */
public class EmbeddedServer {
  public static void main(String[] a) throws Exception {
    Path repo = Files.createTempDirectory("bench");
    Torch.manualSeed(1);
    Module m = ModelSpec.fromJson("[{\"type\":\"linear\",\"in\":64,\"out\":128},{\"type\":\"relu\"},{\"type\":\"linear\",\"in\":128,\"out\":10}]").build();
    Files.createDirectories(repo.resolve("mlp/1"));
    Models.save(m, repo.resolve("mlp/1/model.safetensors"));
    Files.writeString(repo.resolve("mlp/config.json"), "{\"max_batch_size\": 32}");
    try (ModelServing s = ModelServing.builder(repo).port(Integer.parseInt(a[0])).pollMillis(0).start()) {
      System.out.println("serving " + s.uri());
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
