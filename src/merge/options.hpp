#pragma once
// What the user decides about a merge: the mode, how conflicts are resolved, the target. Every
// merge step takes what it needs of these; conflict() turns a conflict into the entry the report
// shows, resolved as --on-conflict says.

#include "merge/report.hpp"
#include "pack/unpack.hpp"
#include "solution/input.hpp"
#include "solution/manifest.hpp"

#include <functional>
#include <string>

namespace escprov::merge {

enum class MergeMode {
    connector, // the connector plus the customer components it must change: for a managed package
    full,      // the customer's whole customisations with the connector merged in: unmanaged
};

enum class OnConflict { fail, ours, theirs };

struct MergeOptions {
    MergeMode mode = MergeMode::connector;
    OnConflict on_conflict = OnConflict::fail;
    solution::CrmVersion target;
    solution::InputLimits limits;
    pack::ExistingTarget existing = pack::ExistingTarget::refuse;
    // Called with the finished report once the merged tree is staged and before it is committed, so
    // that the caller's other outputs (--report) land with it or not at all; may be empty. What it
    // throws leaves the tree uncommitted.
    std::function<void(const Report&)> before_commit;
    Progress* progress = nullptr; // shown reading the base, the merge steps and writing; may be null
};

// A conflict `on_conflict` resolves: with fail it stays unresolved (the outcome names both ways
// out), with ours or theirs the outcome is `if_ours` or `if_theirs`.
Conflict conflict(ConflictKind kind, std::string subject, std::string message, const std::string& if_ours,
                  const std::string& if_theirs, OnConflict on_conflict);

// A conflict a rule resolves whatever --on-conflict says.
Conflict automatic(ConflictKind kind, std::string subject, std::string message, std::string outcome);

} // namespace escprov::merge
