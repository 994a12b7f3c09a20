#include "loaders/postgresql/copy_text.h"

#include <fmt/format.h>

#include <cmath>

#include "loaders/cell_mismatch.h"
#include "transformers/big_number.h"
#include "transformers/datetime.h"

namespace ferry::postgres {

namespace {

// 0001-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z: timestamptz has no year 0.
constexpr TimestampRange kTimestamps{-62135596800000, 253402300799999, "0001-9999"};

std::string RealText(double value) {
  if (std::isinf(value)) {
    return value > 0 ? "Infinity" : "-Infinity";
  }
  return fmt::format("{}", value);  // shortest text that reads back as the same double
}

// True when JSON text holds the escape \u0000, which jsonb refuses ("unsupported Unicode
// escape sequence"); an escaped backslash before "u0000" is not one.
bool HasNulEscape(std::string_view json) {
  for (size_t i = json.find('\\'); i != std::string_view::npos; i = json.find('\\', i)) {
    if (json.compare(i + 1, 5, "u0000") == 0) return true;
    i += 2;  // past the escaped character: an escaped backslash before "u0000" is no NUL
  }
  return false;
}

// True when JSON text holds a number with more integer digits than PostgreSQL's numeric (which
// jsonb stores numbers in) holds: 131072. Only numbers kept as written (big_number.h) can.
bool HasNumberBeyondNumeric(std::string_view json) {
  constexpr int64_t kNumericMaxIntegerDigits = 131072;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (c == '"') {  // skip the string
      for (++i; i < json.size() && json[i] != '"'; ++i) {
        if (json[i] == '\\') ++i;
      }
      continue;
    }
    if (c != '-' && (c < '0' || c > '9')) continue;
    size_t end = json.find_first_of(",]} \t\r\n", i);
    std::string_view number = json.substr(i, end == std::string_view::npos ? json.npos : end - i);
    if (number.find_first_of("eE") != std::string_view::npos &&
        NumberDecimalOrder(number) > kNumericMaxIntegerDigits) {
      return true;
    }
    i += number.size() - 1;
  }
  return false;
}

}  // namespace

Status CheckCell(const ColumnDef& column, const Cell& cell) {
  FERRY_RETURN_IF_ERROR(CheckCellKind(column, cell, kTimestamps));
  const auto* text = std::get_if<std::string>(&cell);
  if (text == nullptr) return Status::OK();
  // What PostgreSQL's text and jsonb refuse that SQLite stores.
  if (text->find('\0') != std::string::npos) {
    return CellMismatch(column, cell, "text with a NUL byte");
  }
  if (column.type == ColumnType::kJson && HasNulEscape(*text)) {
    return CellMismatch(column, cell, "a JSON string with a NUL character (\\u0000)");
  }
  if (column.type == ColumnType::kJson && HasNumberBeyondNumeric(*text)) {
    return CellMismatch(column, cell, "a JSON number beyond PostgreSQL's numeric (1e131072)");
  }
  return Status::OK();
}

Result<std::optional<std::string>> CellText(const ColumnDef& column, const Cell& cell) {
  FERRY_RETURN_IF_ERROR(CheckCell(column, cell));
  if (IsNull(cell)) return std::optional<std::string>();
  if (const auto* text = std::get_if<std::string>(&cell)) return std::optional<std::string>(*text);
  const auto* integer = std::get_if<int64_t>(&cell);
  const auto* real = std::get_if<double>(&cell);
  const auto* boolean = std::get_if<bool>(&cell);
  switch (column.type) {
    case ColumnType::kInteger:
      return std::optional<std::string>(
          std::to_string(integer != nullptr ? *integer : (*boolean ? 1 : 0)));
    case ColumnType::kReal:
      return std::optional<std::string>(real != nullptr ? RealText(*real)
                                                        : std::to_string(*integer));
    case ColumnType::kBoolean:
      return std::optional<std::string>((boolean != nullptr ? *boolean : *integer == 1) ? "t"
                                                                                        : "f");
    case ColumnType::kTimestamp:
      return std::optional<std::string>(FormatTimestampMillis(*integer));
    default:
      return CellMismatch(column, cell);
  }
}

void AppendCopyEscaped(std::string_view text, std::string* line) {
  size_t plain = 0;  // start of the run of bytes not yet copied
  for (size_t i = 0; i < text.size(); ++i) {
    const char* escape = nullptr;
    switch (text[i]) {
      case '\\':
        escape = "\\\\";
        break;
      case '\t':
        escape = "\\t";
        break;
      case '\n':
        escape = "\\n";
        break;
      case '\r':
        escape = "\\r";
        break;
      default:
        continue;
    }
    line->append(text.data() + plain, i - plain);
    line->append(escape);
    plain = i + 1;
  }
  line->append(text.data() + plain, text.size() - plain);
}

void AppendCopyField(const std::optional<std::string>& text, std::string* line) {
  if (!text) {
    line->append("\\N");
    return;
  }
  AppendCopyEscaped(*text, line);
}

std::string ArrayLiteral(const std::vector<std::optional<std::string>>& elements) {
  std::string literal = "{";
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) {
      literal += ',';
    }
    if (!elements[i]) {
      literal += "NULL";
      continue;
    }
    literal += '"';
    for (char c : *elements[i]) {
      if (c == '"' || c == '\\') {
        literal += '\\';
      }
      literal += c;
    }
    literal += '"';
  }
  literal += '}';
  return literal;
}

}  // namespace ferry::postgres
