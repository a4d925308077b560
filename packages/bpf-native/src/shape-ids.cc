#include "shape-ids.h"

#include <linux/types.h>

#include <cstddef>
#include <cstring>
#include <utility>

#include "httpwatcher.h"

namespace httpwatcher {
namespace {

// The call's fields are [0, flags) and [g, end of struct hw_event); everything else is the shape.
constexpr size_t kHeadStart = offsetof(struct hw_event, flags);
constexpr size_t kHeadEnd = offsetof(struct hw_event, g);
constexpr size_t kRestStart = sizeof(struct hw_event);

bool SameShape(const std::vector<uint8_t>& kept, const uint8_t* record, size_t size) {
  return kept.size() == size &&
         std::memcmp(kept.data() + kHeadStart, record + kHeadStart, kHeadEnd - kHeadStart) == 0 &&
         std::memcmp(kept.data() + kRestStart, record + kRestStart, size - kRestStart) == 0;
}

}  // namespace

bool ShapeIds::InUse(uint32_t id) const {
  for (const auto& k : kept_)
    if (k.id == id) return true;
  return false;
}

uint32_t ShapeIds::IdOf(const uint8_t* record, size_t size) {
  if (size < kRestStart || record[offsetof(struct hw_event, kind)] != HW_KIND_REQUEST) return 0;
  for (size_t i = 0; i < kKept && kept_[i].id != 0; i++) {
    if (!SameShape(kept_[i].record, record, size)) continue;
    for (size_t j = i; j > 0; j--) std::swap(kept_[j], kept_[j - 1]);
    return kept_[0].id;
  }
  do {
    last_id_++;
  } while (last_id_ == 0 || InUse(last_id_));
  for (size_t j = kKept - 1; j > 0; j--) std::swap(kept_[j], kept_[j - 1]);
  kept_[0].record.assign(record, record + size);
  kept_[0].id = last_id_;
  return last_id_;
}

}  // namespace httpwatcher
