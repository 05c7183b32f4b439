// jshell: writes COUNT 64-128-10 MLPs (Models.save, seeds 1..COUNT) as OUT_DIR/<i>/model.safetensors.
import dev.kindling.api.Torch;
import dev.kindling.io.Models;
import dev.kindling.nn.ModelSpec;
var dir = java.nio.file.Path.of(System.getenv("OUT_DIR"));
int count = Integer.parseInt(System.getenv().getOrDefault("COUNT", "1"));
for (int i = 1; i <= count; i++) {
    Torch.manualSeed(i);
    var m = ModelSpec.fromJson("[{\"type\":\"linear\",\"in\":64,\"out\":128},{\"type\":\"relu\"},{\"type\":\"linear\",\"in\":128,\"out\":10}]").build();
    var out = dir.resolve(Integer.toString(i)).resolve("model.safetensors");
    java.nio.file.Files.createDirectories(out.getParent());
    Models.save(m, out);
}
System.out.println("wrote " + count + " models under " + dir);
/exit
