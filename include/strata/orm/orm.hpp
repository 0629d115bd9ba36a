// The ORM in one include: models over plain structs, typed column expressions, the Session and
// the SessionFactory. See docs/orm.md.
#pragma once

#include "strata/orm/expr.hpp"
#include "strata/orm/mapper.hpp"
#include "strata/orm/model.hpp"
#include "strata/orm/session.hpp"
#include "strata/orm/types.hpp"
