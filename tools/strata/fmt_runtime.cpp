// The compiled part of {fmt} 9, built into the strata binary instead of loaded from libfmt.so.
// libfmt.so was the one shared C++ library left at start-up, and it brought libstdc++.so with
// it: with both gone (the runtime is linked statically) a command starts without resolving
// libstdc++'s symbols. fmt's own library compiles format-inl.h and instantiates these templates;
// the linker checks the set, as a function strata calls but nothing here defines fails the link.
#include <fmt/format-inl.h>

namespace fmt {
inline namespace v9 {
namespace detail {

template auto locale_ref::get<std::locale>() const -> std::locale;
template auto dragonbox::to_decimal(float x) noexcept -> dragonbox::decimal_fp<float>;
template auto dragonbox::to_decimal(double x) noexcept -> dragonbox::decimal_fp<double>;
template auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template auto decimal_point_impl(locale_ref) -> char;

}  // namespace detail
}  // namespace v9
}  // namespace fmt
