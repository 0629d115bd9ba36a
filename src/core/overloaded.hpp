// The visitor of std::visit built from lambdas, one per alternative.
#pragma once

namespace strata::detail {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
// Clang 14 does not deduce an aggregate's template arguments (P1816) without a guide.
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace strata::detail
