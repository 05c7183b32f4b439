package dev.kindling.run;

import java.io.BufferedReader;
import java.io.InputStreamReader;

/** A rank of {@link LauncherTest}: says it is ready, echoes the lines of its standard input, exits on "exit N" (at once with the argument "quit"). */
public final class EchoRank {
    public static void main(String[] a) throws Exception {
        String rank = System.getenv("RANK");
        System.out.println("ready " + rank + " of " + System.getenv("WORLD_SIZE") + " restart " + System.getenv("KINDLING_RESTART_COUNT"));
        if (a.length > 0 && a[0].equals("quit")) return;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("exit ")) System.exit(Integer.parseInt(line.substring(5)));
            System.out.println("rank " + rank + " got " + line);
        }
    }
}
