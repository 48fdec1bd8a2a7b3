// escprov_reshape_sample: gives a project-written sample customizations.xml the vocabulary real
// exports of its CRM version write (templates/profiles): what that version never writes goes,
// what it always writes is added where it can be built, and children keep their order. The
// samples are fixtures written by this project, not exports; this keeps them honest when the
// profiles learn something new. It prints what it removed and what it could not add.
//
// Usage: escprov_reshape_sample PROFILES_DIR VERSION customizations.xml
// (the file is rewritten in place, in the samples' byte conventions: no declaration, CRLF, 2-space indent)

#include "connector/shape.hpp"
#include "solution/manifest.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "xml/node.hpp"
#include "xml/platform.hpp"
#include "xml/source.hpp"
#include "xml/writer.hpp"

#include <iostream>

int main(int argc, char** argv)
{
    using namespace escprov;
    if (argc != 4) {
        std::cerr << "usage: escprov_reshape_sample PROFILES_DIR VERSION customizations.xml\n";
        return 2;
    }
    try {
        xml::XercesPlatform platform;
        profile::Profiles profiles = profile::Profiles::load(argv[1]);
        auto version = solution::parse_crm_version(argv[2]);
        const profile::Profile* target = version ? profiles.for_version(*version) : nullptr;
        if (target == nullptr) {
            std::cerr << "escprov_reshape_sample: no profile covers '" << argv[2] << "'\n";
            return 2;
        }
        std::filesystem::path file = argv[3];
        xml::FileSource source(file);
        xml::Node root = xml::parse_document(source);
        connector::Shaper shaper(profiles, *target, connector::OwnValues{"1.0.0.0"});
        shaper.shape(root, "customizations.xml", connector::Owner::customer, file.string());
        xml::Style style;
        style.keep_unindented_markup = true;
        write_file_atomic(file, xml::to_string(root, style), AtomicFile::Overwrite::yes);
        for (const auto& removed : shaper.removed()) {
            std::cout << "removed " << removed << "\n";
        }
        for (const auto& note : shaper.notes()) {
            std::cout << "left " << note << "\n";
        }
    } catch (const std::exception& error) {
        std::cerr << "escprov_reshape_sample: " << error.what() << "\n";
        return 1;
    }
    return 0;
}
