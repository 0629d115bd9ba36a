// Session::select() on a temporary Session: the objects it loads belong to a session destroyed
// at the semicolon.
#include "model.hpp"

std::size_t count_users(strata::SessionFactory& sessions) {
#ifdef STRATA_FIXED
  auto session = sessions();
  auto query = session.select<User>();
#else
  auto query = sessions().select<User>();
#endif
  return query.all().size();
}
