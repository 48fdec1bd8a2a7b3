#include "zip_forge.hpp"

#include <zlib.h>

#include <fstream>
#include <stdexcept>

namespace escprov::test {

namespace {

constexpr uint32_t k_local_signature = 0x04034b50;
constexpr uint32_t k_central_signature = 0x02014b50;
constexpr uint32_t k_end_signature = 0x06054b50;
constexpr uint16_t k_version_needed = 20;     // 2.0: deflate
constexpr uint16_t k_made_by_unix = 3 << 8;   // the high byte names the host system
constexpr uint16_t k_dos_time = 0;            // 00:00:00
constexpr uint16_t k_dos_date = (1 << 5) | 1; // 1980-01-01
constexpr uint64_t k_max_plain_size = 0xFFFFFFFFull;

void put16(std::string& out, uint16_t value)
{
    out.push_back(static_cast<char>(value & 0xFF));
    out.push_back(static_cast<char>(value >> 8));
}

void put32(std::string& out, uint32_t value)
{
    put16(out, static_cast<uint16_t>(value & 0xFFFF));
    put16(out, static_cast<uint16_t>(value >> 16));
}

uint32_t narrow(uint64_t value, const std::string& what)
{
    if (value > k_max_plain_size) {
        throw std::runtime_error("zip_forge: " + what + " needs zip64, which the forge does not write");
    }
    return static_cast<uint32_t>(value);
}

// Raw deflate of `bytes` as an independent run of non-final blocks ending on a byte boundary
// (Z_SYNC_FLUSH). Independent runs hold no back-references into each other, so they may be
// concatenated and repeated freely; a final empty block closes the stream.
std::string deflate_run(const std::string& bytes)
{
    z_stream stream{};
    if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("zip_forge: deflateInit2 failed");
    }
    std::string out(deflateBound(&stream, bytes.size()) + 64, '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    stream.avail_in = static_cast<uInt>(bytes.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    int status = deflate(&stream, Z_SYNC_FLUSH);
    size_t produced = out.size() - stream.avail_out;
    deflateEnd(&stream);
    if (status != Z_OK || stream.avail_in != 0) {
        throw std::runtime_error("zip_forge: deflate failed");
    }
    out.resize(produced);
    return out;
}

// A final stored block of length zero: BFINAL=1, BTYPE=00, padding, LEN=0, NLEN=0xFFFF.
const std::string k_final_block("\x01\x00\x00\xFF\xFF", 5);

struct Encoded {
    std::string data;
    uint32_t crc = 0;
};

Encoded encode(const ForgedEntry& entry)
{
    Encoded encoded;
    uLong crc = crc32(0L, Z_NULL, 0);
    for (const auto& chunk : entry.content) {
        uLong chunk_crc =
            crc32(0L, reinterpret_cast<const Bytef*>(chunk.bytes.data()), static_cast<uInt>(chunk.bytes.size()));
        std::string piece = entry.method == Method::deflated ? deflate_run(chunk.bytes) : chunk.bytes;
        for (uint64_t i = 0; i < chunk.repeat; ++i) {
            crc = crc32_combine(crc, chunk_crc, static_cast<z_off_t>(chunk.bytes.size()));
            encoded.data += piece;
        }
    }
    if (entry.method == Method::deflated) {
        encoded.data += k_final_block;
    }
    encoded.crc = static_cast<uint32_t>(crc);
    return encoded;
}

} // namespace

uint64_t ForgedEntry::size() const
{
    uint64_t total = 0;
    for (const auto& chunk : content) {
        total += chunk.bytes.size() * chunk.repeat;
    }
    return total;
}

ZipForge& ZipForge::add(std::string name, std::string bytes, Method method)
{
    ForgedEntry entry;
    entry.name = std::move(name);
    entry.content.push_back({std::move(bytes), 1});
    entry.method = method;
    return add(std::move(entry));
}

ZipForge& ZipForge::add(ForgedEntry entry)
{
    m_entries.push_back(std::move(entry));
    return *this;
}

std::string ZipForge::bytes() const
{
    std::string archive;
    std::string central;
    for (const auto& entry : m_entries) {
        Encoded encoded = encode(entry);
        uint32_t offset = narrow(archive.size(), "the offset of '" + entry.name + "'");
        uint32_t compressed = narrow(encoded.data.size(), "the compressed size of '" + entry.name + "'");
        uint32_t size = narrow(entry.declared_size.value_or(entry.size()), "the size of '" + entry.name + "'");
        uint16_t flags = entry.encrypted_flag ? 1 : 0;
        auto name_length = static_cast<uint16_t>(entry.name.size());

        put32(archive, k_local_signature);
        put16(archive, k_version_needed);
        put16(archive, flags);
        put16(archive, static_cast<uint16_t>(entry.method));
        put16(archive, k_dos_time);
        put16(archive, k_dos_date);
        put32(archive, encoded.crc);
        put32(archive, compressed);
        put32(archive, size);
        put16(archive, name_length);
        put16(archive, 0); // extra field length
        archive += entry.name;
        archive += encoded.data;

        put32(central, k_central_signature);
        put16(central, static_cast<uint16_t>(entry.unix_mode ? k_made_by_unix | k_version_needed : k_version_needed));
        put16(central, k_version_needed);
        put16(central, flags);
        put16(central, static_cast<uint16_t>(entry.method));
        put16(central, k_dos_time);
        put16(central, k_dos_date);
        put32(central, encoded.crc);
        put32(central, compressed);
        put32(central, size);
        put16(central, name_length);
        put16(central, 0); // extra field length
        put16(central, 0); // comment length
        put16(central, 0); // disk number
        put16(central, 0); // internal attributes
        put32(central, entry.unix_mode ? *entry.unix_mode << 16 : 0);
        put32(central, offset);
        central += entry.name;
    }
    uint32_t central_offset = narrow(archive.size(), "the central directory offset");
    auto count = static_cast<uint16_t>(m_entries.size());
    archive += central;
    put32(archive, k_end_signature);
    put16(archive, 0); // this disk
    put16(archive, 0); // the disk holding the central directory
    put16(archive, count);
    put16(archive, count);
    put32(archive, narrow(central.size(), "the central directory size"));
    put32(archive, central_offset);
    put16(archive, 0); // comment length
    return archive;
}

void ZipForge::write(const std::filesystem::path& path) const
{
    std::string archive = bytes();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(archive.data(), static_cast<std::streamsize>(archive.size()));
    if (!out) {
        throw std::runtime_error("zip_forge: cannot write " + path.string());
    }
}

std::string minimal_solution_xml()
{
    return "<ImportExportXml version=\"9.2.23062.180\" SolutionPackageVersion=\"9.2\" languagecode=\"1033\" "
           "generatedBy=\"CrmLive\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\r\n"
           "  <SolutionManifest>\r\n"
           "    <UniqueName>HostileTest</UniqueName>\r\n"
           "    <LocalizedNames>\r\n"
           "      <LocalizedName description=\"Hostile Test\" languagecode=\"1033\" />\r\n"
           "    </LocalizedNames>\r\n"
           "    <Descriptions />\r\n"
           "    <Version>1.0.0.0</Version>\r\n"
           "    <Managed>0</Managed>\r\n"
           "    <Publisher>\r\n"
           "      <UniqueName>tester</UniqueName>\r\n"
           "      <LocalizedNames>\r\n"
           "        <LocalizedName description=\"Tester\" languagecode=\"1033\" />\r\n"
           "      </LocalizedNames>\r\n"
           "      <Descriptions />\r\n"
           "      <CustomizationPrefix>tst</CustomizationPrefix>\r\n"
           "      <CustomizationOptionValuePrefix>12345</CustomizationOptionValuePrefix>\r\n"
           "    </Publisher>\r\n"
           "    <RootComponents>\r\n"
           "      <RootComponent type=\"1\" schemaName=\"tst_thing\" behavior=\"0\" />\r\n"
           "    </RootComponents>\r\n"
           "    <MissingDependencies />\r\n"
           "  </SolutionManifest>\r\n"
           "</ImportExportXml>";
}

std::string minimal_customizations_xml()
{
    return "<ImportExportXml xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
           "OrganizationVersion=\"9.2.23062.180\" "
           "OrganizationSchemaType=\"Standard\" CRMServerServiceabilityVersion=\"9.2.23062.00180\">\r\n"
           "  <Entities>\r\n"
           "    <Entity>\r\n"
           "      <Name LocalizedName=\"Thing\" OriginalName=\"Thing\">tst_thing</Name>\r\n"
           "      <EntityInfo>\r\n"
           "        <entity Name=\"tst_thing\">\r\n"
           "          <attributes>\r\n"
           "            <attribute PhysicalName=\"tst_name\">\r\n"
           "              <Type>nvarchar</Type>\r\n"
           "              <Name>tst_name</Name>\r\n"
           "              <LogicalName>tst_name</LogicalName>\r\n"
           "            </attribute>\r\n"
           "          </attributes>\r\n"
           "        </entity>\r\n"
           "      </EntityInfo>\r\n"
           "    </Entity>\r\n"
           "  </Entities>\r\n"
           "  <Roles />\r\n"
           "  <Workflows />\r\n"
           "  <FieldSecurityProfiles />\r\n"
           "  <Templates />\r\n"
           "  <EntityMaps />\r\n"
           "  <EntityRelationships />\r\n"
           "  <OrganizationSettings />\r\n"
           "  <optionsets />\r\n"
           "  <CustomControls />\r\n"
           "  <EntityDataProviders />\r\n"
           "  <Languages>\r\n"
           "    <Language>1033</Language>\r\n"
           "  </Languages>\r\n"
           "</ImportExportXml>";
}

std::string minimal_content_types_xml()
{
    return "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?><Types "
           "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"xml\" "
           "ContentType=\"application/octet-stream\" /></Types>";
}

ZipForge solution_zip(const std::string& customizations, Method method)
{
    ZipForge forge;
    forge.add("[Content_Types].xml", minimal_content_types_xml(), Method::deflated)
        .add("customizations.xml", customizations, method)
        .add("solution.xml", minimal_solution_xml(), Method::deflated);
    return forge;
}

} // namespace escprov::test
