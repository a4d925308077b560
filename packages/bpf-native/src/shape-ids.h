// Shape ids of request records, written into each record's frame ([u32 size][u32 shape id][record]).
// A client at full rate sends the same request over and over: the records differ only in their
// call's fields (time, goroutine, request pointer, process and thread ids, goroutine pointer). Equal
// ids mean equal bytes everywhere else (flags, lengths, binary id, strings, headers), so JavaScript
// decodes a request's shape once per id instead of comparing each record's bytes with the shapes
// it kept, which cost a fifth of its time at full rate (BENCHMARKS.md).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace httpwatcher {

class ShapeIds {
 public:
  // The id of `record`'s shape: the id of a recent record with the same shape bytes, or a new one.
  // 0 for a record that is not a request, or too short to be one. Ids are never 0 and never name
  // two shapes at once; after 2^32 - 1 new shapes they repeat. One caller at a time.
  uint32_t IdOf(const uint8_t* record, size_t size);

 private:
  // Shapes kept: the requests a client sends over and over are few; more only cost failed compares.
  static constexpr size_t kKept = 4;

  struct Kept {
    std::vector<uint8_t> record;  // the whole record it was first seen in
    uint32_t id = 0;
  };

  bool InUse(uint32_t id) const;

  Kept kept_[kKept];  // most recently used first; id 0: empty
  uint32_t last_id_ = 0;
};

}  // namespace httpwatcher
