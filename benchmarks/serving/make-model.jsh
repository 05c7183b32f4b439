// jshell: writes a 64-128-10 MLP (Models.save) to the path in the MODEL environment variable.
import dev.kindling.api.Torch;
import dev.kindling.io.Models;
import dev.kindling.nn.ModelSpec;
Torch.manualSeed(7);
var m = ModelSpec.fromJson("[{\"type\":\"linear\",\"in\":64,\"out\":128},{\"type\":\"relu\"},{\"type\":\"linear\",\"in\":128,\"out\":10}]").build();
var out = java.nio.file.Path.of(System.getenv("MODEL"));
java.nio.file.Files.createDirectories(out.getParent());
Models.save(m, out);
System.out.println("wrote " + out);
/exit
