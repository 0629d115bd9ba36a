// The visitor of std::visit built from lambdas, one per alternative.
#pragma once

namespace strata::detail {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};

}  // namespace strata::detail
