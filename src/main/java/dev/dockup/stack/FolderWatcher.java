package dev.dockup.stack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

/**
 * Notices folders added, edited or removed in {@code STACKS_DIR} by hand (git pull, scp): watches
 * the root and each stack folder one level down, and calls back on any change. The callback
 * runs on the watcher's own thread; it only has to schedule a rescan.
 */
final class FolderWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FolderWatcher.class);

  private final Path root;
  private final Runnable onChange;
  private final WatchService service;
  private final Thread thread;

  FolderWatcher(Path root, Runnable onChange) throws IOException {
    this.root = root;
    this.onChange = onChange;
    this.service = root.getFileSystem().newWatchService();
    register(root);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path p : entries) registerIfStackFolder(p);
    }
    thread = new Thread(this::loop, "dockup-stacks-watcher");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    try {
      while (true) {
        WatchKey key = service.take();
        Path dir = (Path) key.watchable();
        for (var event : key.pollEvents()) {
          if (event.kind() != OVERFLOW && dir.equals(root) && event.kind() == ENTRY_CREATE) {
            registerIfStackFolder(root.resolve((Path) event.context()));
          }
        }
        key.reset();
        onChange.run();
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closing
    }
  }

  private void registerIfStackFolder(Path p) {
    if (p.getFileName().toString().startsWith(".")) return;
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) register(p);
  }

  private void register(Path dir) {
    try {
      dir.register(service, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
    } catch (IOException e) {
      LOG.debug("cannot watch {}: {}", dir, e.getMessage());
    }
  }

  @Override
  public void close() throws IOException {
    service.close();
    thread.interrupt();
  }
}
