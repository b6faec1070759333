// Checkpoint <-> model: the checks that the files fit the model they describe.
#include "models/model_io.hpp"

#include <filesystem>
#include <iomanip>
#include <sstream>

#include "models/memory.hpp"

namespace attnlab {

namespace {

std::string count_text(double n) {
  std::ostringstream os;
  os << std::setprecision(n < 1e9 ? 10 : 3) << n;
  return os.str();
}

}  // namespace

template <class T>
void save_model(const std::string& dir, EncoderDecoder<T>& model, const Vocab& src,
                const Vocab& tgt, const nlohmann::json& extra_config,
                const std::function<void(const std::string&)>& write_extra) {
  const ModelConfig& c = model.config();
  if (c.src_vocab != src.size() || c.tgt_vocab != tgt.size())
    throw CheckpointError(dir + ": the model's vocabulary sizes " + std::to_string(c.src_vocab) +
                          " and " + std::to_string(c.tgt_vocab) +
                          " differ from the vocabularies' " + std::to_string(src.size()) + " and " +
                          std::to_string(tgt.size()));
  std::vector<Array<float>> values;  // float32 copies, as the format wants
  std::vector<std::pair<std::string, const Array<float>*>> params;
  const auto ps = model.parameters();
  values.reserve(ps.size());
  for (Parameter<T>* p : ps) values.push_back(xt::cast<float>(p->value));
  for (std::size_t i = 0; i < ps.size(); ++i) params.emplace_back(ps[i]->name, &values[i]);
  save_checkpoint(dir, c, src, tgt, params, extra_config, write_extra);
}

template <class T>
LoadedModel<T> load_model(const std::string& dir, bool allow_nonfinite) {
  nlohmann::json config_json;
  CheckpointData data = load_checkpoint(dir, &config_json);
  const std::string config_path = (std::filesystem::path(dir) / "config.json").string();
  LoadedModel<T> out;
  try {  // an unknown model, cell or start, named with the file, before any estimate
    data.config.validate();
  } catch (const std::invalid_argument& e) {
    throw CheckpointError(config_path + ": " + e.what());
  }
  // config.json's sizes against the weights there are, before allocating any
  double stored = 0;
  for (const auto& [name, value] : data.params) stored += static_cast<double>(value.size());
  const double claimed = parameter_count_estimate(data.config);
  if (claimed > 2 * stored + 1e6)
    throw CheckpointError(config_path + ": its sizes (embed " + std::to_string(data.config.embed) +
                          ", hidden " + std::to_string(data.config.hidden) + ", vocabularies " +
                          std::to_string(data.config.src_vocab) + " and " +
                          std::to_string(data.config.tgt_vocab) + ") make about " +
                          count_text(claimed) + " parameters, but its .npy files hold " +
                          count_text(stored));
  try {
    out.model = make_model<T>(data.config);
  } catch (const std::invalid_argument& e) {
    throw CheckpointError(config_path + ": " + e.what());
  }
  for (Parameter<T>* p : out.model->parameters()) {
    const std::string file = (std::filesystem::path(dir) / (p->name + ".npy")).string();
    auto it = data.params.find(p->name);
    if (it == data.params.end())
      throw CheckpointError(file + ": missing (the model needs parameter '" + p->name + "')");
    if (it->second.shape() != p->value.shape())
      throw CheckpointError(file + ": shape " + shape_str(it->second.shape()) +
                            ", but the model needs " + shape_str(p->value.shape()));
    if (const std::size_t bad = allow_nonfinite ? 0 : count_nonfinite(it->second))
      throw CheckpointError(file + ": " + std::to_string(bad) + " of " +
                            std::to_string(it->second.size()) +
                            " values are NaN or infinite; a model with them gives no answers "
                            "worth reading (it was saved by a run that diverged, or damaged)");
    p->value = xt::cast<T>(it->second);
    p->zero_grad();
    data.params.erase(it);
  }
  if (!data.params.empty())
    throw CheckpointError(
        (std::filesystem::path(dir) / (data.params.begin()->first + ".npy")).string() +
        ": not a parameter of a '" + model_label(data.config) + "' model");
  out.src_vocab = std::move(data.src_vocab);
  out.tgt_vocab = std::move(data.tgt_vocab);
  out.config_json = std::move(config_json);
  return out;
}

#define ATTNLAB_INSTANTIATE(T)                                                                     \
  template void save_model(const std::string&, EncoderDecoder<T>&, const Vocab&, const Vocab&,     \
                           const nlohmann::json&, const std::function<void(const std::string&)>&); \
  template LoadedModel<T> load_model(const std::string&, bool);
ATTNLAB_INSTANTIATE(float)
ATTNLAB_INSTANTIATE(double)

}  // namespace attnlab
