package dev.kindling.shell.internal;

import dev.kindling.api.Device;
import dev.kindling.kernel.BackendInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendTableTest {
    @Test
    void emptyRegistrySaysWhatToInstall() {
        assertTrue(BackendTable.format(List.of()).contains("kindling-backend-cpu"));
    }

    @Test
    void marksSelectedAndPreferredAndShowsReasons() {
        List<BackendInfo> infos = List.of(
                new BackendInfo("cpu-java", "cpu", "0.1.0", 0, true, "available", List.of(Device.CPU), true, false),
                new BackendInfo("cuda-jcuda", "cuda", "0.1.0", 10, false, "no CUDA driver: libcuda.so.1 not found",
                        List.of(), false, false),
                new BackendInfo("cuda-other", "cuda", "2.0", 5, true, "available",
                        List.of(Device.of("cuda:0"), Device.of("cuda:1")), true, true));
        String out = BackendTable.format(infos);
        String[] lines = out.split("\n");
        assertTrue(lines[0].matches("\\s+BACKEND\\s+DEVICE\\s+VERSION\\s+RANK\\s+STATUS\\s+DEVICES"), lines[0]);
        assertTrue(lines[1].matches("[- ]+"), lines[1]);
        assertTrue(lines[2].matches("\\*\\s+cpu-java\\s+cpu\\s+0\\.1\\.0\\s+0\\s+available\\s+cpu"), lines[2]);
        assertTrue(lines[3].matches("\\s+cuda-jcuda\\s+cuda\\s+0\\.1\\.0\\s+10\\s+"
                + "unavailable: no CUDA driver: libcuda\\.so\\.1 not found\\s+-"), lines[3]);
        assertTrue(lines[4].matches("\\*P\\s+cuda-other\\s+cuda\\s+2\\.0\\s+5\\s+available\\s+cuda:0, cuda:1"), lines[4]);
        // columns line up
        assertEquals(lines[0].indexOf("STATUS"), lines[3].indexOf("unavailable"));
        assertTrue(out.contains("P = preferred"));
    }

    @Test
    void legendWithoutPreferenceOmitsP() {
        String out = BackendTable.format(List.of(
                new BackendInfo("cpu-java", "cpu", "0.1.0", 0, true, "available", List.of(Device.CPU), true, false)));
        assertTrue(out.contains("* = serves new tensors"));
        assertFalse(out.contains("P = preferred"));
    }

    @Test
    void backendDiagnosticsFollowTheTable() {
        String out = BackendTable.format(List.of(
                new BackendInfo("cpu-java", "cpu", "0.1.0", 0, true, "available", List.of(Device.CPU), true, false),
                new BackendInfo("cuda-jcuda", "cuda", "0.1.0", 100, true, "available (driver 12.6)", List.of(Device.CUDA), true, false,
                        List.of("cuda:0 NVIDIA H100 80GB HBM3 (79.19 MiB): allocated 12.00 MiB, reserved 20.00 MiB, matmul: cuBLAS"))));
        String[] lines = out.split("\n");
        assertEquals("  cuda-jcuda: cuda:0 NVIDIA H100 80GB HBM3 (79.19 MiB): allocated 12.00 MiB, reserved 20.00 MiB, matmul: cuBLAS", lines[4]);
        assertTrue(lines[5].startsWith("* = serves new tensors"), lines[5]);
    }
}
