package dev.dockup.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataDirTest {

  @TempDir Path tmp;

  @Test
  void freshDirectoryGetsOwnerOnlyFormatFile() throws IOException {
    Path data = tmp.resolve("nested/data");
    DataDir.prepare(data);

    Path format = data.resolve(DataDir.FORMAT_FILE);
    assertEquals(String.valueOf(DataDir.FORMAT), Files.readString(format).trim());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(format)));
  }

  @Test
  void preparingTwiceIsFine() throws IOException {
    DataDir.prepare(tmp);
    DataDir.prepare(tmp);
    assertEquals(String.valueOf(DataDir.FORMAT), Files.readString(tmp.resolve(DataDir.FORMAT_FILE)).trim());
  }

  @Test
  void newerFormatIsRefused() throws IOException {
    Files.writeString(tmp.resolve(DataDir.FORMAT_FILE), (DataDir.FORMAT + 1) + "\n");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> DataDir.prepare(tmp));
    assertTrue(e.getMessage().contains("newer"), e.getMessage());
    assertEquals((DataDir.FORMAT + 1) + "\n", Files.readString(tmp.resolve(DataDir.FORMAT_FILE)));
  }

  @Test
  void unreadableFormatIsRefused() throws IOException {
    Files.writeString(tmp.resolve(DataDir.FORMAT_FILE), "banana");
    assertThrows(IllegalStateException.class, () -> DataDir.prepare(tmp));
  }

  @Test
  void dataDirThatIsAFileIsRefused() throws IOException {
    Path file = Files.writeString(tmp.resolve("data"), "x");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> DataDir.prepare(file));
    assertTrue(e.getMessage().contains("not a folder"), e.getMessage());
  }

  @Test
  void aNewDataDirIsOwnerOnlyAndLeftoversGoAtStart() throws IOException {
    Path data = tmp.resolve("fresh/data");
    DataDir.prepare(data);
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));

    Path leftover = Files.writeString(data.resolve(".auth.json.0b8e5f7a-3c4d-4e5f-8a9b-0c1d2e3f4a5b.tmp"), "hash");
    DataDir.prepare(data);
    assertFalse(Files.exists(leftover));
  }
}
