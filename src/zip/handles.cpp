#include "zip/handles.hpp"

#include <zip.h>

namespace escprov::zip {

void DiscardArchive::operator()(::zip* archive) const noexcept
{
    zip_discard(archive);
}

void CloseEntry::operator()(::zip_file* file) const noexcept
{
    zip_fclose(file);
}

void FreeSource::operator()(::zip_source* source) const noexcept
{
    zip_source_free(source);
}

} // namespace escprov::zip
