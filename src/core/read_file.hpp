// A whole file as bytes, for the readers of revision files and their caches.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <optional>
#include <string>

namespace strata::detail {

// The file's bytes, or nullopt when it cannot be opened or read. One buffer of the file's
// size: a string stream grows by doubling, touching about twice the memory in fresh pages
// (on a 1,000-revision links cache, a fifth of the page faults of a cold `current`), and
// costs a stream and its locale per revision file.
inline std::optional<std::string> read_file(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat info {};
  std::size_t expected = ::fstat(fd, &info) == 0 ? static_cast<std::size_t>(info.st_size) : 0;
  // One byte more than expected, so that the read which finds the end needs no larger buffer.
  std::string text(expected + 1, '\0');
  std::size_t used = 0;
  for (;;) {
    if (used == text.size()) text.resize(text.size() * 2);
    ssize_t n = ::read(fd, text.data() + used, text.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      if (n < 0) return std::nullopt;
      break;
    }
    used += static_cast<std::size_t>(n);
  }
  text.resize(used);
  return text;
}

}  // namespace strata::detail
