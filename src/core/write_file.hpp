// A whole file written at once, for revision files and their caches.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace strata::detail {

// Writes `text` beside `path` and renames it over, so that a reader never sees half a file and
// a failed write leaves nothing behind. False when it could not be written.
inline bool write_atomically(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::path temporary = path;
  temporary += "." + std::to_string(::getpid());
  std::error_code failed;
  {
    std::ofstream out(temporary, std::ios::binary);
    if (!out) return false;
    out << text;
    if (!out.flush()) {
      std::filesystem::remove(temporary, failed);
      return false;
    }
  }
  std::filesystem::rename(temporary, path, failed);
  if (!failed) return true;
  std::filesystem::remove(temporary, failed);
  return false;
}

}  // namespace strata::detail
