#include "merge/options.hpp"

namespace escprov::merge {

Conflict conflict(ConflictKind kind, std::string subject, std::string message, const std::string& if_ours,
                  const std::string& if_theirs, OnConflict on_conflict)
{
    Conflict entry;
    entry.kind = kind;
    entry.subject = std::move(subject);
    entry.message = std::move(message);
    switch (on_conflict) {
    case OnConflict::fail:
        entry.resolution = Resolution::unresolved;
        entry.outcome = "unresolved; --on-conflict ours: " + if_ours + "; --on-conflict theirs: " + if_theirs;
        break;
    case OnConflict::ours:
        entry.resolution = Resolution::ours;
        entry.outcome = if_ours;
        break;
    case OnConflict::theirs:
        entry.resolution = Resolution::theirs;
        entry.outcome = if_theirs;
        break;
    }
    return entry;
}

Conflict automatic(ConflictKind kind, std::string subject, std::string message, std::string outcome)
{
    return Conflict{kind, std::move(subject), std::move(message), Resolution::automatic, std::move(outcome)};
}

} // namespace escprov::merge
