// Session::stream() on a temporary Session: range-for keeps the Stream alive, not the session
// it reads through.
#include "model.hpp"

std::size_t count_users(strata::SessionFactory& sessions) {
  std::size_t n = 0;
#ifdef STRATA_FIXED
  auto session = sessions();
  for (const User& u : session.stream<User>()) n += u.name.size();
#else
  for (const User& u : sessions().stream<User>()) n += u.name.size();
#endif
  return n;
}
