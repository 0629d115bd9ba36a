// Everything a program that uses the engine and the ORM includes (strata::core + strata::orm).
// Migrations and the command line have their own headers under strata/migrate and strata/cli.
#pragma once

#include "strata/core.hpp"
#include "strata/orm/orm.hpp"
