package dev.kindling.datasets.csv;

import dev.kindling.api.DType;
import dev.kindling.data.Batch;
import dev.kindling.data.DataLoader;
import dev.kindling.data.DatasetFormatException;
import dev.kindling.data.DatasetNotFoundException;
import dev.kindling.data.Sample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvTableDatasetTest {
    static Path write(Path dir, String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    static CsvTableDataset.Options opts(Path p) { return new CsvTableDataset.Options(p); }

    @Test
    void headerFeaturesAndLabelColumns(@TempDir Path tmp) throws IOException {
        Path p = write(tmp, "a.csv", "x1,x2,label,x3\n1,2,0,3\n4,5,2,6\n\n7,8.5,1,-9e-1\n");
        CsvTableDataset all = new CsvTableDataset(opts(p).label("label"));
        assertEquals(3, all.size());
        assertEquals(List.of("x1", "x2", "x3"), all.featureNames());
        Sample s = all.get(2);
        assertArrayEquals(new float[] {7, 8.5f, -0.9f}, s.input().toFloatArray());
        assertEquals(DType.FLOAT32, s.input().dtype());
        assertEquals(DType.INT64, s.target().dtype());
        assertEquals(1, s.target().itemLong());
        CsvTableDataset chosen = new CsvTableDataset(opts(p).features("x3", "x1").label("label"));
        assertArrayEquals(new float[] {6, 4}, chosen.get(1).input().toFloatArray());
        CsvTableDataset byIndex = new CsvTableDataset(opts(p).features(0, 1).label(-1));
        assertEquals(DType.FLOAT32, byIndex.get(0).target().dtype(), "non-integer labels are a regression target");
        assertEquals(-0.9f, (float) byIndex.get(2).target().item());
        Batch b = DataLoader.builder(all).batchSize(2).build().iterator().next();
        assertArrayEquals(new long[] {2, 3}, b.inputs().shape());
        assertArrayEquals(new long[] {0, 2}, b.targets().toLongArray());
    }

    @Test
    void noHeaderQuotesTextLabelsAndGzip(@TempDir Path tmp) throws IOException {
        Path p = write(tmp, "b.csv", "5.1;3.5;\"setosa\"\r\n6.2;2.9;virginica\r\n\"5,9\";3.0;versicolor\r\n");
        DatasetFormatException notNumeric = assertThrows(DatasetFormatException.class, () -> new CsvTableDataset(opts(p).header(false).delimiter(';')));
        assertTrue(notNumeric.getMessage().contains("b.csv, line 3: column 1 ('column 0'): '5,9' is not a number"), notNumeric.getMessage());
        Path q = write(tmp, "c.csv", "5.1;3.5;\"setosa\"\r\n6.2;2.9;virginica\r\n5.9;3.0;\"versi\"\"color\"\r\n");
        CsvTableDataset ds = new CsvTableDataset(opts(q).header(false).delimiter(';'));
        assertEquals(List.of("setosa", "versi\"color", "virginica"), ds.classes());
        assertEquals(2, ds.get(1).target().itemLong());
        assertEquals(1, ds.get(2).target().itemLong());
        Path gz = tmp.resolve("d.csv.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write("a,b\n1,2\n3,4\n".getBytes(StandardCharsets.UTF_8));
        }
        CsvTableDataset g = new CsvTableDataset(opts(gz).noLabel());
        assertEquals(2, g.size());
        assertNull(g.get(0).target());
        assertArrayEquals(new float[] {3, 4}, g.get(1).input().toFloatArray());
    }

    @Test
    void badRowsNameTheFileAndLine(@TempDir Path tmp) throws IOException {
        Path p = write(tmp, "bad.csv", "a,b,y\n1,2,0\n3,4\n5,6,1\n");
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> new CsvTableDataset(opts(p)));
        assertEquals(p + ", line 3: expected 3 columns (as the header), found 2", e.getMessage());
        assertEquals(3, e.line());
        Path q = write(tmp, "nan.csv", "a,b,y\n1,2,0\n3,x4,1\n");
        e = assertThrows(DatasetFormatException.class, () -> new CsvTableDataset(opts(q)));
        assertEquals(q + ", line 3: column 2 ('b'): 'x4' is not a number", e.getMessage());
        Path r = write(tmp, "empty.csv", "a,b,y\n1,,0\n");
        assertTrue(assertThrows(DatasetFormatException.class, () -> new CsvTableDataset(opts(r))).getMessage().contains("line 2: column 2 ('b'): empty value"));
        Path s = write(tmp, "quote.csv", "a,b,y\n1,\"2,0\n3,4,1\n");
        assertTrue(assertThrows(DatasetFormatException.class, () -> new CsvTableDataset(opts(s))).getMessage()
                .contains("line 2: a quoted field is not closed"));
        Path t = write(tmp, "neg.csv", "a,y\n1,-1\n");
        assertTrue(assertThrows(DatasetFormatException.class, () -> new CsvTableDataset(opts(t).labelType(CsvTableDataset.LabelType.CLASS_INDEX)))
                .getMessage().contains("line 2: column 2 ('y'): class index -1 is negative"));
        Path ok = write(tmp, "ok.csv", "a,y\n1,1\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new CsvTableDataset(opts(ok).label("nope"))).getMessage().contains("no column 'nope'"));
        DatasetNotFoundException nf = assertThrows(DatasetNotFoundException.class, () -> new CsvTableDataset(opts(tmp.resolve("missing.csv"))));
        assertTrue(nf.getMessage().contains("missing.csv not found"), nf.getMessage());
    }

    @Test
    void providerIsRegistered(@TempDir Path tmp) throws IOException {
        Path p = write(tmp, "p.tsv", "f1\tf2\tclass\n1\t2\tcat\n3\t4\tdog\n");
        dev.kindling.kernel.Kernel k = (dev.kindling.kernel.Kernel) dev.kindling.api.spi.TensorRuntimes.get();
        CsvTableDataset ds = (CsvTableDataset) k.datasets().create("csv", Map.of("path", p.toString(), "delimiter", "tab", "label", "class"));
        assertEquals(List.of("cat", "dog"), ds.classes());
        CsvTableDataset byIdx = (CsvTableDataset) k.datasets().create("csv", Map.of("path", p.toString(), "delimiter", "\t", "features", "1", "label", "2"));
        assertEquals(List.of("f2"), byIdx.featureNames());
        assertThrows(IllegalArgumentException.class, () -> k.datasets().create("csv", Map.of("path", p.toString(), "labelType", "weird")));
    }
}
