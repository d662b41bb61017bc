// One GRU layer (PyTorch's variant, gate order r, z, n) over a time-major sequence, forward and
// backpropagation through time, for seqpredict.models.fast_gru on CPU.
//
// The Python version of the same algorithm (GRULayerFunction in fast_gru.py) spends most of its
// time in per-step operator dispatch; here a step is one gemm (torch's) plus one fused
// element-wise loop, vectorised by the compiler (-O3 -ffast-math -march=native: exp and tanh
// come from glibc's vector math library).
//
// Shapes: L steps, N batch, I input size, H hidden size.
//   forward(x (L,N,I), h0 (N,H), w_ih (3H,I), w_hh (3H,H), b_ih (3H), b_hh (3H))
//     -> out (L,N,H), s (L,N,3H) = [r, z, gh_n], n (L,N,H)       (s and n are saved for backward)
//   backward(d_out (L,N,H), x, h0, w_ih, w_hh, out, s, n, need_dx)
//     -> dx (L,N,I) or empty, dh0 (N,H), dw_ih, dw_hh, db_ih, db_hh
// backward overwrites s (with dgh) and n (with d gi_n).
#include <torch/extension.h>

#include <cmath>
#include <vector>

namespace {

using torch::Tensor;

template <typename T>
inline T sigmoid(T a) {
  return T(1) / (T(1) + std::exp(-a));
}

template <typename T>
void step_forward(const T* gi_t, const T* b_hh, T* s_t, T* n_t, const T* h_prev, T* h_t,
                  int64_t rows, int64_t hid) {
  // gi_t = W_ih x_t + b_ih + [b_hr, b_hz, 0]; on entry s_t = W_hh h_prev (no bias);
  // on exit s_t = [r, z, gh_n] with gh_n = W_hn h_prev + b_hn, n_t = n, h_t = h.
  const T* b_hn = b_hh + 2 * hid;
  for (int64_t b = 0; b < rows; ++b) {
    const T* gi = gi_t + b * 3 * hid;
    T* r = s_t + b * 3 * hid;
    T* z = r + hid;
    T* gh_n = z + hid;
    T* n = n_t + b * hid;
    const T* hp = h_prev + b * hid;
    T* h = h_t + b * hid;
#pragma omp simd
    for (int64_t j = 0; j < hid; ++j) {
      const T rv = sigmoid(gi[j] + r[j]);
      const T zv = sigmoid(gi[hid + j] + z[j]);
      const T ghv = gh_n[j] + b_hn[j];
      const T nv = std::tanh(gi[2 * hid + j] + rv * ghv);
      r[j] = rv;
      z[j] = zv;
      gh_n[j] = ghv;
      n[j] = nv;
      h[j] = nv + zv * (hp[j] - nv);  // (1 - z) n + z h_prev
    }
  }
}

template <typename T>
void step_backward(T* s_t, T* n_t, const T* h_t, const T* d_out_t, T* carry, int64_t rows,
                   int64_t hid) {
  // dh = d_out_t + carry (what flows back into h_t from step t+1). Reads r, z, gh_n (s_t) and
  // n (n_t); writes dgh_t = [d pre_r, d pre_z, d gh_n] over s_t, d gi_n over n_t, and
  // carry = dh z (the direct path to h_{t-1}; the caller adds dgh_t W_hh).
  //   d gi_n = dh (1 - z)(1 - n^2),  d gh_n = d gi_n r,  d pre_r = d gi_n gh_n r (1 - r),
  //   d pre_z = dh (h_prev - n) z (1 - z) = dh (h - n)(1 - z)
  for (int64_t b = 0; b < rows; ++b) {
    T* r = s_t + b * 3 * hid;
    T* z = r + hid;
    T* gh_n = z + hid;
    T* n = n_t + b * hid;
    const T* h = h_t + b * hid;
    const T* d = d_out_t + b * hid;
    T* c = carry + b * hid;
#pragma omp simd
    for (int64_t j = 0; j < hid; ++j) {
      const T rv = r[j], zv = z[j], ghv = gh_n[j], nv = n[j], gv = d[j] + c[j];
      const T omz = T(1) - zv;
      const T dgi_n = gv * omz * (T(1) - nv * nv);
      const T dgh_n = dgi_n * rv;
      r[j] = dgh_n * ghv * (T(1) - rv);
      z[j] = gv * (h[j] - nv) * omz;
      gh_n[j] = dgh_n;
      n[j] = dgi_n;
      c[j] = gv * zv;
    }
  }
}

void check_inputs(const Tensor& x, const Tensor& h0, const Tensor& w_ih, const Tensor& w_hh) {
  TORCH_CHECK(x.dim() == 3 && x.is_contiguous(), "x must be a contiguous (L, N, I) tensor");
  TORCH_CHECK(h0.dim() == 2 && h0.size(0) == x.size(1), "h0 must be (N, H)");
  TORCH_CHECK(w_ih.size(0) == 3 * h0.size(1) && w_ih.size(1) == x.size(2), "w_ih must be (3H, I)");
  TORCH_CHECK(w_hh.size(0) == 3 * h0.size(1) && w_hh.size(1) == h0.size(1), "w_hh must be (3H, H)");
  TORCH_CHECK(x.device().is_cpu(), "the native GRU runs on CPU only");
}

}  // namespace

std::vector<Tensor> gru_forward(const Tensor& x, const Tensor& h0_in, const Tensor& w_ih,
                                const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh) {
  check_inputs(x, h0_in, w_ih, w_hh);
  const int64_t L = x.size(0), N = x.size(1), H = h0_in.size(1);
  const Tensor h0 = h0_in.contiguous();
  Tensor bias = b_ih.clone();  // b_hr, b_hz fold into the input projection; b_hn cannot (r gh_n)
  bias.slice(0, 0, 2 * H).add_(b_hh.slice(0, 0, 2 * H));
  const Tensor gi = torch::addmm(bias, x.view({L * N, -1}), w_ih.t());  // (L*N, 3H)
  const Tensor b_hh_c = b_hh.contiguous();
  Tensor s = torch::empty({L, N, 3 * H}, x.options());  // per step: W_hh h, then [r, z, gh_n]
  Tensor n = torch::empty({L, N, H}, x.options());
  Tensor out = torch::empty({L, N, H}, x.options());
  const Tensor w_hh_t = w_hh.t().contiguous();  // (H, 3H): a contiguous right factor
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "seqpredict_gru_forward", [&] {
    const scalar_t* gi_p = gi.data_ptr<scalar_t>();
    scalar_t* s_p = s.data_ptr<scalar_t>();
    scalar_t* n_p = n.data_ptr<scalar_t>();
    scalar_t* out_p = out.data_ptr<scalar_t>();
    const int64_t g = N * 3 * H, k = N * H;  // elements per step of s and of n/out
    for (int64_t t = 0; t < L; ++t) {
      Tensor s_t = s[t];  // (N, 3H)
      at::mm_out(s_t, t == 0 ? h0 : out[t - 1], w_hh_t);
      step_forward<scalar_t>(gi_p + t * g, b_hh_c.data_ptr<scalar_t>(), s_p + t * g,
                             n_p + t * k, t == 0 ? h0.data_ptr<scalar_t>() : out_p + (t - 1) * k,
                             out_p + t * k, N, H);
    }
  });
  return {out, s, n};
}

std::vector<Tensor> gru_backward(const Tensor& d_out_in, const Tensor& x, const Tensor& h0_in,
                                 const Tensor& w_ih, const Tensor& w_hh, const Tensor& out,
                                 Tensor s, Tensor n, bool need_dx) {
  check_inputs(x, h0_in, w_ih, w_hh);
  const int64_t L = x.size(0), N = x.size(1), H = h0_in.size(1);
  const Tensor h0 = h0_in.contiguous();
  const Tensor d_out = d_out_in.contiguous();  // (L, N, H); a copy only when it is not
  Tensor carry = torch::zeros({N, H}, x.options());  // what flows back into h_t; finally dh0
  const Tensor w = w_hh.contiguous();  // (3H, H)
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "seqpredict_gru_backward", [&] {
    scalar_t* s_p = s.data_ptr<scalar_t>();
    scalar_t* n_p = n.data_ptr<scalar_t>();
    const scalar_t* out_p = out.data_ptr<scalar_t>();
    const scalar_t* d_p = d_out.data_ptr<scalar_t>();
    const int64_t g = N * 3 * H, k = N * H;
    for (int64_t t = L - 1; t >= 0; --t) {
      step_backward<scalar_t>(s_p + t * g, n_p + t * k, out_p + t * k, d_p + t * k,
                              carry.data_ptr<scalar_t>(), N, H);
      carry.addmm_(s[t], w);  // + dgh_t W_hh
    }
  });
  // Weight gradients: one gemm each over all L*N rows. s is now dgh, n is d gi_n.
  const int64_t rows = L * N;
  const Tensor dgh = s.view({rows, 3 * H});
  const Tensor dgi_n = n.view({rows, H});
  const Tensor x2 = x.view({rows, -1});
  Tensor dw_hh = torch::mm(dgh.slice(0, N).t(), out.view({rows, H}).slice(0, 0, rows - N));
  dw_hh.addmm_(dgh.slice(0, 0, N).t(), h0);
  const Tensor db_hh = dgh.sum(0);
  const Tensor dgh_rz = dgh.slice(1, 0, 2 * H);  // d gi_r, d gi_z equal d gh_r, d gh_z
  const Tensor dw_ih = torch::cat({torch::mm(dgh_rz.t(), x2), torch::mm(dgi_n.t(), x2)});
  const Tensor db_ih = torch::cat({db_hh.slice(0, 0, 2 * H), dgi_n.sum(0)});
  Tensor dx;
  if (need_dx) {
    dx = torch::mm(dgh_rz, w_ih.slice(0, 0, 2 * H))
             .addmm_(dgi_n, w_ih.slice(0, 2 * H))
             .view({L, N, -1});
  }
  return {dx, carry, dw_ih, dw_hh, db_ih, db_hh};
}

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("gru_forward", &gru_forward, "GRU layer forward (L, N, I) -> out, s, n");
  m.def("gru_backward", &gru_backward, "GRU layer backward through time");
}
