// What strata::core provides, in one include: configuration, errors, values, the engine and
// its connections, and the SQL expression layer. No ORM, migrations or command line.
#pragma once

#include "strata/core/config.hpp"
#include "strata/core/error.hpp"
#include "strata/core/log.hpp"
#include "strata/core/url.hpp"
#include "strata/core/value.hpp"
#include "strata/engine/connection.hpp"
#include "strata/engine/engine.hpp"
#include "strata/engine/pool.hpp"
#include "strata/engine/result.hpp"
#include "strata/sql/execute.hpp"
#include "strata/sql/expression.hpp"
#include "strata/sql/statement.hpp"
#include "strata/version.hpp"
