// Column lengths, shared by the mappings and the request schemas (which do not need the ORM).
#pragma once

namespace backend::models {

inline constexpr int kEmailMax = 320;
inline constexpr int kNameMax = 200;
inline constexpr int kTitleMax = 200;

}  // namespace backend::models
