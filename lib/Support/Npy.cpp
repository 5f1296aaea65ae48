//===- Npy.cpp - numpy .npy files -----------------------------------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// The header is a Python dict literal; it is parsed with a small strict
// scanner that accepts exactly the three keys numpy writes and nothing else.
//
//===----------------------------------------------------------------------===//

#include "tg/Support/Npy.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <optional>

using namespace tg;
using llvm::StringRef;

int64_t HostTensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

TgTensor HostTensor::view() {
  return TgTensor{dtype, static_cast<int64_t>(shape.size()), shape.data(),
                  data.data()};
}

std::string tg::npyDescr(TgDType dtype) {
  switch (dtype) {
  case TG_DTYPE_F32: return "<f4";
  case TG_DTYPE_F64: return "<f8";
  case TG_DTYPE_F16: return "<f2";
  case TG_DTYPE_BF16: return "<V2";
  case TG_DTYPE_I1: return "|b1";
  case TG_DTYPE_I32: return "<i4";
  case TG_DTYPE_I64: return "<i8";
  }
  return "?";
}

static std::optional<TgDType> dtypeFromDescr(StringRef descr) {
  // '=' (native) and '<' are the same on the little-endian hosts tg targets;
  // one-byte types may use '|'.
  if (descr.size() >= 2 && (descr[0] == '=' || descr[0] == '|'))
    descr = descr.drop_front();
  else if (descr.starts_with("<"))
    descr = descr.drop_front();
  static const std::pair<StringRef, TgDType> table[] = {
      {"f4", TG_DTYPE_F32}, {"f8", TG_DTYPE_F64}, {"f2", TG_DTYPE_F16},
      {"V2", TG_DTYPE_BF16}, {"b1", TG_DTYPE_I1}, {"i4", TG_DTYPE_I32},
      {"i8", TG_DTYPE_I64}};
  for (auto &[name, dtype] : table)
    if (descr == name)
      return dtype;
  return std::nullopt;
}

namespace {
/// A strict scanner over the header dict.
class HeaderScanner {
public:
  explicit HeaderScanner(StringRef text) : rest(text) {}
  void skipSpace() { rest = rest.ltrim(" \t\n"); }
  bool consume(StringRef token) {
    skipSpace();
    return rest.consume_front(token);
  }
  std::optional<std::string> string() {
    skipSpace();
    if (rest.empty() || (rest[0] != '\'' && rest[0] != '"'))
      return std::nullopt;
    char quote = rest[0];
    size_t end = rest.find(quote, 1);
    if (end == StringRef::npos)
      return std::nullopt;
    std::string s = rest.substr(1, end - 1).str();
    rest = rest.drop_front(end + 1);
    return s;
  }
  std::optional<bool> boolean() {
    if (consume("True"))
      return true;
    if (consume("False"))
      return false;
    return std::nullopt;
  }
  std::optional<std::vector<int64_t>> tuple() {
    if (!consume("("))
      return std::nullopt;
    std::vector<int64_t> dims;
    while (!consume(")")) {
      skipSpace();
      size_t len = 0;
      while (len < rest.size() && llvm::isDigit(rest[len]))
        ++len;
      // Reject empty numbers and absurd dimension sizes (overflow below).
      if (len == 0 || len > 15)
        return std::nullopt;
      int64_t d;
      if (rest.substr(0, len).getAsInteger(10, d))
        return std::nullopt;
      dims.push_back(d);
      rest = rest.drop_front(len);
      if (!consume(",")) {
        if (!consume(")"))
          return std::nullopt;
        break;
      }
    }
    return dims;
  }
  bool atEnd() {
    skipSpace();
    return rest.empty();
  }

private:
  StringRef rest;
};
} // namespace

static llvm::Error npyError(StringRef name, const llvm::Twine &message) {
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      (name + ": error: " + message).str());
}

llvm::Expected<HostTensor> tg::parseNpy(StringRef bytes, StringRef name) {
  static const char magic[] = "\x93NUMPY";
  if (!bytes.starts_with(StringRef(magic, 6)))
    return npyError(name, "not a .npy file (bad magic string)");
  if (bytes.size() < 10)
    return npyError(name, "truncated .npy header");
  uint8_t major = bytes[6];
  size_t headerLen, dataStart;
  if (major == 1) {
    headerLen = uint8_t(bytes[8]) | (size_t(uint8_t(bytes[9])) << 8);
    dataStart = 10 + headerLen;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return npyError(name, "truncated .npy header");
    headerLen = 0;
    for (int i = 3; i >= 0; --i)
      headerLen = (headerLen << 8) | uint8_t(bytes[8 + i]);
    dataStart = 12 + headerLen;
  } else {
    return npyError(name, "unsupported .npy version " + llvm::Twine(major));
  }
  if (dataStart > bytes.size())
    return npyError(name, "truncated .npy header: " + llvm::Twine(headerLen) +
                              " header bytes announced, " +
                              llvm::Twine(bytes.size() - (dataStart - headerLen)) +
                              " present");
  StringRef header = bytes.substr(dataStart - headerLen, headerLen);

  HeaderScanner scan(header);
  std::optional<std::string> descr;
  std::optional<bool> fortran;
  std::optional<std::vector<int64_t>> shape;
  if (!scan.consume("{"))
    return npyError(name, "malformed .npy header: expected a dict");
  while (!scan.consume("}")) {
    std::optional<std::string> key = scan.string();
    if (!key || !scan.consume(":"))
      return npyError(name, "malformed .npy header: expected 'key': value");
    if (*key == "descr") {
      if (!(descr = scan.string()))
        return npyError(name, "malformed .npy header: bad 'descr'");
    } else if (*key == "fortran_order") {
      if (!(fortran = scan.boolean()))
        return npyError(name, "malformed .npy header: bad 'fortran_order'");
    } else if (*key == "shape") {
      if (!(shape = scan.tuple()))
        return npyError(name, "malformed .npy header: bad 'shape'");
    } else {
      return npyError(name, "malformed .npy header: unknown key '" + *key + "'");
    }
    if (!scan.consume(",")) {
      if (!scan.consume("}"))
        return npyError(name, "malformed .npy header: expected ',' or '}'");
      break;
    }
  }
  if (!scan.atEnd())
    return npyError(name, "malformed .npy header: text after the dict");
  if (!descr || !fortran || !shape)
    return npyError(name, "malformed .npy header: 'descr', 'fortran_order' "
                          "and 'shape' are all required");
  if (*fortran)
    return npyError(name, "Fortran-order arrays are not supported; save a "
                          "C-order array (numpy.ascontiguousarray)");
  std::optional<TgDType> dtype = dtypeFromDescr(*descr);
  if (!dtype) {
    if (StringRef(*descr).starts_with(">"))
      return npyError(name, "big-endian dtype '" + *descr +
                                "' is not supported (use '<')");
    return npyError(name, "unsupported dtype '" + *descr +
                              "' (supported: f4, f8, f2, bf16 as V2, b1, "
                              "i4, i8)");
  }

  HostTensor tensor;
  tensor.dtype = *dtype;
  tensor.shape = *shape;
  size_t itemSize = tgDTypeSize(*dtype);
  // Each dimension has at most 15 digits; guard the product as well.
  uint64_t count = 1;
  for (int64_t d : tensor.shape) {
    if (d != 0 && count > (uint64_t(1) << 40) / uint64_t(d))
      return npyError(name, "array too large");
    count *= uint64_t(d);
  }
  uint64_t expected = count * itemSize;
  uint64_t present = bytes.size() - dataStart;
  if (present != expected)
    return npyError(name, (present < expected ? "truncated data: expected "
                                              : "size mismatch: expected ") +
                              llvm::Twine(expected) + " data bytes for shape, "
                              "found " + llvm::Twine(present));
  tensor.data.assign(bytes.begin() + dataStart, bytes.end());
  if (*dtype == TG_DTYPE_I1)
    for (uint8_t &b : tensor.data)
      if (b > 1)
        return npyError(name, "invalid boolean byte " + llvm::Twine(unsigned(b)));
  return tensor;
}

llvm::Expected<HostTensor> tg::readNpyFile(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return npyError(path, "cannot read file: " + buffer.getError().message());
  return parseNpy((*buffer)->getBuffer(), path);
}

std::string tg::serializeNpy(TgDType dtype, llvm::ArrayRef<int64_t> shape,
                             const void *data) {
  std::string dict = "{'descr': '" + npyDescr(dtype) +
                     "', 'fortran_order': False, 'shape': (";
  for (auto [i, d] : llvm::enumerate(shape))
    dict += (i ? ", " : "") + std::to_string(d);
  if (shape.size() == 1)
    dict += ","; // numpy's one-element tuple: (3,)
  dict += "), }";
  // Pad with spaces so that the data starts at a multiple of 64 bytes.
  size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += char(dict.size() & 0xff);
  out += char(dict.size() >> 8);
  out += dict;
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  out.append(static_cast<const char *>(data), count * tgDTypeSize(dtype));
  return out;
}

llvm::Error tg::writeNpyFile(StringRef path, TgDType dtype,
                             llvm::ArrayRef<int64_t> shape, const void *data) {
  std::string bytes = serializeNpy(dtype, shape, data);
  std::string temp = (path + ".tmp").str();
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(temp, ec);
    if (ec)
      return npyError(path, "cannot write file: " + ec.message());
    os << bytes;
    os.close();
    if (os.has_error()) {
      os.clear_error();
      llvm::sys::fs::remove(temp);
      return npyError(path, "write failed");
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(temp, path)) {
    llvm::sys::fs::remove(temp);
    return npyError(path, "cannot write file: " + ec.message());
  }
  return llvm::Error::success();
}
